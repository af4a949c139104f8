// aegis audit verify <log> --verification-key PUB.pem [--allow-unsealed]
// <log> is the current file; its rotated siblings <log>.1, <log>.2, ... are verified with it, oldest first.
import { readFile } from "node:fs/promises";
import { parseCommand, usageError as usage } from "../parse-command.ts";
import { isAegisError } from "../../errors/registry.ts";
import { rotatedSet, verifyDecisionLog } from "../../telemetry/decision-log/index.ts";

const USAGE = `usage: aegis audit verify <log> --verification-key PUB.pem [--allow-unsealed]

Verifies the hash chain and the Ed25519-signed checkpoints of a decision log and its
rotated files (<log>.1, <log>.2, ...). Exit 0 when intact, 1 naming the first bad line.
  --verification-key  Ed25519 public key (PEM) matching the log's signing key
  --allow-unsealed    accept records after the last checkpoint (a log still being written);
                      truncation of the tail then goes unnoticed
`;

const usageError = (message: string): number => usage("audit", USAGE, message);

export async function run(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === "--help" || subcommand === "-h" || subcommand === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (subcommand !== "verify") return usageError(subcommand === undefined ? "missing subcommand" : `unknown subcommand "${subcommand}"`);

  const parsed = parseCommand("audit", USAGE, {
    args: rest,
    allowPositionals: true,
    options: { "verification-key": { type: "string" }, "allow-unsealed": { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
  });
  if (typeof parsed === "number") return parsed;
  const { positionals, values } = parsed;
  if (positionals.length !== 1) return usageError("give exactly one <log> file");
  const keyPath = values["verification-key"];
  if (keyPath === undefined) return usageError("--verification-key is required");

  let keyPem: string;
  try {
    keyPem = await readFile(keyPath, "utf8");
  } catch (err) {
    return usageError(`cannot read the verification key ${keyPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }

  const log = positionals[0]!;
  let result;
  try {
    result = await verifyDecisionLog(rotatedSet(log), keyPem, { allowUnsealedTail: values["allow-unsealed"] });
  } catch (err) {
    if (isAegisError(err, "AEGIS_ERR_DECISION_LOG")) return usageError(err.message);
    throw err;
  }
  if (result.ok) {
    const unsealed = result.unsealed > 0 ? `, ${result.unsealed} unsealed` : "";
    process.stdout.write(`ok: ${result.records} records, ${result.checkpoints} checkpoints${unsealed}\n`);
    return 0;
  }
  const { file, line, seq } = result.firstBad;
  process.stdout.write(`${file}:${line}: seq ${seq ?? "?"}: ${result.reason}\n`);
  return 1;
}
