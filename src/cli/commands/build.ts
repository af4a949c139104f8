// aegis build <dir> -o <bundle.tar.gz> [--revision R] [--signing-key K --signing-alg ALG --key-id ID]
// Compiles the YAML policies under <dir>, then builds (and optionally signs) the OPA bundle.
import { parseCommand, usageError as usage } from "../parse-command.ts";
import { buildBundle, defaultRegoDir, isSigningAlgorithm, SIGNING_ALGORITHMS, type SigningOptions } from "../../bundle/index.ts";
import { compilePolicyDir } from "../../bundle/policy-dir.ts";
import { formatProblem } from "../../policy/index.ts";

const USAGE = `usage: aegis build <dir> -o <bundle.tar.gz> [--revision R]
                   [--signing-key K [--signing-alg ${SIGNING_ALGORITHMS.join("|")}] [--key-id ID]]
                   [--rego-dir D]

  -o, --output     where to write the bundle (written atomically)
  --revision       bundle revision (default: a hash of the compiled data and the Rego sources)
  --signing-key    PEM private key (inline or a file path) for RS*/PS*/ES*; for HS* a secret file path or the secret
  --signing-alg    JWS algorithm (default RS256, as opa build)
  --key-id         key id written into the signature (default "default", as opa build)
  --rego-dir       the Rego library to compile (default: the generic library policies/aegis)
`;

const usageError = (message: string): number => usage("build", USAGE, message);

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("build", USAGE, {
    args,
    allowPositionals: true,
    options: {
      output: { type: "string", short: "o" },
      revision: { type: "string" },
      "signing-key": { type: "string" },
      "signing-alg": { type: "string" },
      "key-id": { type: "string" },
      "rego-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const [dir] = positionals;
  if (positionals.length !== 1 || dir === undefined) return usageError("expected exactly one policy directory");
  if (values.output === undefined) return usageError("-o <bundle.tar.gz> is required");
  const alg = values["signing-alg"];
  if (values["signing-key"] === undefined && (alg !== undefined || values["key-id"] !== undefined)) {
    return usageError("--signing-alg and --key-id need --signing-key");
  }
  if (alg !== undefined && !isSigningAlgorithm(alg)) return usageError(`unsupported --signing-alg "${alg}"`);

  const regoDir = values["rego-dir"] ?? defaultRegoDir();
  const compiled = await compilePolicyDir(dir, regoDir);
  if (!compiled.ok) {
    process.stdout.write(compiled.problems.map((p) => `${formatProblem(p)}\n`).join(""));
    process.stderr.write(`aegis build: ${compiled.problems.length} problem(s); no bundle written\n`);
    return 1;
  }
  const signing: SigningOptions | undefined =
    values["signing-key"] === undefined
      ? undefined
      : {
          key: values["signing-key"],
          ...(alg !== undefined && isSigningAlgorithm(alg) ? { alg } : {}),
          ...(values["key-id"] === undefined ? {} : { keyId: values["key-id"] }),
        };
  const result = await buildBundle({
    data: compiled.data,
    regoDir,
    custom: compiled.custom,
    outFile: values.output,
    ...(values.revision === undefined ? {} : { revision: values.revision }),
    ...(signing === undefined ? {} : { signing }),
  });
  const signed = signing === undefined ? "unsigned" : `signed ${signing.alg ?? "RS256"}, key id "${signing.keyId ?? "default"}"`;
  process.stdout.write(`aegis build: ${result.outFile}: revision ${result.revision} (${signed})\n`);
  return 0;
}
