// Reads one policy file within the size caps: fstat on the open descriptor first (no 50 MB file
// is ever read), then a read that stops one byte past the cap (a file growing between the stat
// and the read is still refused). A file over a cap is a problem of that file, not an abort.
import { open } from "node:fs/promises";
import { policyReadError } from "./policy-read-error.ts";
import type { Problem } from "./problem.ts";
import { formatBytes, type PolicyReadLimits } from "./read-limits.ts";

export type PolicyFileText = { readonly text: string } | { readonly problem: Problem };

/** Bytes already read in this run, shared by the calls for one compile. */
export interface ReadBudget {
  totalBytes: number;
}

export async function readPolicyFile(file: string, limits: PolicyReadLimits, budget: ReadBudget): Promise<PolicyFileText> {
  const tooLarge = (message: string): PolicyFileText => ({ problem: { file, line: 1, col: 1, pointer: "", message } });
  let handle;
  try {
    handle = await open(file, "r");
  } catch (err) {
    throw policyReadError(file, err);
  }
  try {
    const { size } = await handle.stat();
    const cap = formatBytes(limits.maxFileBytes);
    if (size > limits.maxFileBytes) return tooLarge(`file is ${size} bytes, over the ${cap} limit for a policy file; not read`);
    if (budget.totalBytes + size > limits.maxTotalBytes) {
      return tooLarge(`policy files together exceed the ${formatBytes(limits.maxTotalBytes)} limit of one run; not read`);
    }
    const buffer = Buffer.alloc(limits.maxFileBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limits.maxFileBytes) return tooLarge(`file grew past the ${cap} limit for a policy file while being read; not read`);
    budget.totalBytes += length;
    return { text: buffer.toString("utf8", 0, length) };
  } catch (err) {
    throw policyReadError(file, err);
  } finally {
    await handle.close();
  }
}
