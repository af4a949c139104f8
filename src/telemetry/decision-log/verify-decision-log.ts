// Verifies a decision log (one file, or a rotated set oldest first) by streaming its lines
// through the chain verifier.
import { createReadStream, existsSync } from "node:fs";
import { createChainVerifier, type VerifyFailure, type VerifyResult } from "./chain-verifier.ts";
import { rotatedPath } from "./file-sink.ts";
import { loadVerificationKey } from "./signing-key.ts";

export interface VerifyDecisionLogOptions {
  /** Accept records after the last checkpoint, for a log that is still being written. */
  readonly allowUnsealedTail?: boolean;
}

/** The current file and its rotated siblings, oldest first: path.N, ..., path.1, path. */
export function rotatedSet(path: string): string[] {
  const older: string[] = [];
  for (let index = 1; existsSync(rotatedPath(path, index)); index++) older.unshift(rotatedPath(path, index));
  return [...older, path];
}

interface StreamedLine {
  readonly text: string;
  readonly terminated: boolean;
}

async function* linesOf(path: string): AsyncGenerator<StreamedLine> {
  let pending = Buffer.alloc(0);
  for await (const chunk of createReadStream(path)) {
    pending = Buffer.concat([pending, chunk as Buffer]);
    let newline = pending.indexOf(0x0a);
    while (newline >= 0) {
      yield { text: pending.subarray(0, newline).toString("utf8"), terminated: true };
      pending = pending.subarray(newline + 1);
      newline = pending.indexOf(0x0a);
    }
  }
  if (pending.length > 0) yield { text: pending.toString("utf8"), terminated: false };
}

/**
 * `paths` oldest first (see rotatedSet). Without `publicKeyPem` only the hash chain is checked.
 * Throws AEGIS_ERR_DECISION_LOG for an unusable key; every problem with the log itself is a result.
 */
export async function verifyDecisionLog(paths: readonly string[] | string, publicKeyPem?: string, options: VerifyDecisionLogOptions = {}): Promise<VerifyResult> {
  const files = typeof paths === "string" ? [paths] : paths;
  const verifier = createChainVerifier({
    ...(publicKeyPem === undefined ? {} : { publicKey: loadVerificationKey(publicKeyPem) }),
    ...(options.allowUnsealedTail === undefined ? {} : { allowUnsealedTail: options.allowUnsealedTail }),
  });
  for (const [index, file] of files.entries()) {
    verifier.startFile(file);
    let endsWithNewline = true;
    try {
      for await (const line of linesOf(file)) {
        endsWithNewline = line.terminated;
        const bad = verifier.line(line.text);
        if (bad !== null) return bad;
      }
    } catch (err) {
      const failure: VerifyFailure = { ok: false, firstBad: { file, line: 0, seq: null }, reason: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
      return failure;
    }
    const bad = verifier.endFile(index === files.length - 1, endsWithNewline);
    if (bad !== null) return bad;
  }
  return verifier.result();
}
