// aegis verify <bundle> --verification-key K [--key-id ID] [--signing-alg ALG] [--scope S]
// Exit 0 with a summary when the signature and every file digest check out; exit 1 with the reason otherwise.
import { parseCommand, usageError as usage } from "../parse-command.ts";
import { loadBundleSource } from "../../bundle/source.ts";
import { AegisError, isAegisError } from "../../errors/registry.ts";

const USAGE = `usage: aegis verify <bundle> --verification-key K [--key-id ID] [--signing-alg ALG] [--scope S]

  --verification-key  PEM public key or certificate (inline or a file path); for HS* a secret file path or the secret
  --key-id            the key id the bundle must be signed with (default: any)
  --signing-alg       accept only this JWS algorithm (default: decided by the key type)
  --scope             the signing scope the bundle must carry (default: none)
`;

const usageError = (message: string): number => usage("verify", USAGE, message);

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("verify", USAGE, {
    args,
    allowPositionals: true,
    options: {
      "verification-key": { type: "string" },
      "key-id": { type: "string" },
      "signing-alg": { type: "string" },
      scope: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const [path] = positionals;
  if (positionals.length !== 1 || path === undefined) return usageError("expected exactly one bundle");
  const key = values["verification-key"];
  if (key === undefined) return usageError("--verification-key is required");
  try {
    // The server's own loader: the same read caps, signature rule and data.json check as a reload.
    const loaded = await loadBundleSource(path, {
      verificationKey: key, requireSignature: true,
      ...(values["key-id"] === undefined ? {} : { keyId: values["key-id"] }),
      ...(values["signing-alg"] === undefined ? {} : { signingAlg: values["signing-alg"] }),
      ...(values.scope === undefined ? {} : { scope: values.scope }),
    });
    if ("notModified" in loaded || loaded.verified === null) throw new AegisError("AEGIS_ERR_BUNDLE_READ", `cannot read bundle ${path}`);
    const { contents, verified: result } = loaded;
    process.stdout.write(
      `aegis verify: ${path}: ok\n` +
        `  revision:  ${contents.manifest.revision}\n` +
        `  signature: ${result.algorithm}, key id ${result.keyId === null ? "(none)" : `"${result.keyId}"`}\n` +
        `  files:     ${result.files} listed, all digests match\n`,
    );
    return 0;
  } catch (err) {
    if (!isAegisError(err) || err.code === "AEGIS_ERR_USAGE") throw err;
    process.stderr.write(`aegis verify: ${path}: FAILED: ${err.code}: ${err.message}\n`);
    return 1;
  }
}
