// Signing and verification keys, following the OPA CLI's conventions: `--signing-key` and
// `--verification-key` take inline PEM, a path to a PEM file, or (HMAC) a path to a secret file or
// the secret itself. A secret file is used byte for byte, as OPA does, so a trailing newline is part of it.
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { AegisError, type ErrorCode } from "../errors/registry.ts";

export const SIGNING_ALGORITHMS = [
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512",
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** OPA's default when --signing-alg is not given. */
export const DEFAULT_SIGNING_ALGORITHM: SigningAlgorithm = "RS256";

const EC_CURVES: Readonly<Record<string, SigningAlgorithm>> = { prime256v1: "ES256", secp384r1: "ES384", secp521r1: "ES512" };
const RSA_ALGORITHMS: readonly SigningAlgorithm[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const HMAC_ALGORITHMS: readonly SigningAlgorithm[] = ["HS256", "HS384", "HS512"];

export function isSigningAlgorithm(value: string): value is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

function isHmac(alg: SigningAlgorithm): boolean {
  return alg.startsWith("HS");
}

function looksLikePem(text: string): boolean {
  return text.trimStart().startsWith("-----BEGIN");
}

/** Inline PEM as given; else the file's bytes if `value` names a readable file; else `value` itself. */
export async function resolveKeyMaterial(value: string): Promise<Uint8Array> {
  if (value === "") throw new AegisError("AEGIS_ERR_USAGE", "the key is empty");
  if (looksLikePem(value)) return new TextEncoder().encode(value);
  try {
    return new Uint8Array(await readFile(value));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENAMETOOLONG" || code === "ENOTDIR") return new TextEncoder().encode(value);
    throw new AegisError("AEGIS_ERR_USAGE", `cannot read key file "${value}": ${(err as Error).message}`, { cause: err });
  }
}

function keyError(code: ErrorCode, message: string, cause: unknown): AegisError {
  return new AegisError(code, `${message}: ${(cause as Error).message}`, { cause });
}

function checkAsymmetricKey(key: KeyObject, alg: SigningAlgorithm, code: ErrorCode): void {
  const type = key.asymmetricKeyType;
  const fits =
    alg.startsWith("ES")
      ? type === "ec" && EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""] === alg
      : type === "rsa" || (type === "rsa-pss" && alg.startsWith("PS"));
  if (!fits) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new AegisError(code, `a ${type}${curve ? ` (${curve})` : ""} key cannot be used with ${alg}`);
  }
}

export async function loadSigningKey(value: string, alg: SigningAlgorithm): Promise<KeyObject> {
  const material = await resolveKeyMaterial(value);
  if (isHmac(alg)) return createSecretKey(material);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(material), format: "pem" });
  } catch (err) {
    throw keyError("AEGIS_ERR_USAGE", `--signing-key is not a PEM private key usable with ${alg}`, err);
  }
  checkAsymmetricKey(key, alg, "AEGIS_ERR_USAGE");
  return key;
}

export interface VerificationKey {
  readonly key: KeyObject;
  /** The JWS algorithms this key may verify; the token's "alg" must be one of them. */
  readonly algorithms: readonly SigningAlgorithm[];
}

function algorithmsFor(key: KeyObject): readonly SigningAlgorithm[] {
  if (key.asymmetricKeyType === "rsa") return RSA_ALGORITHMS;
  if (key.asymmetricKeyType === "rsa-pss") return RSA_ALGORITHMS.filter((a) => a.startsWith("PS"));
  const ec = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""];
  if (key.asymmetricKeyType === "ec" && ec !== undefined) return [ec];
  throw new AegisError("AEGIS_ERR_BUNDLE_SIGNATURE", `verification keys of type ${key.asymmetricKeyType} are not supported`);
}

/**
 * PEM material (public key, certificate or private key) is an asymmetric key whose type decides the
 * algorithms; anything else is an HMAC secret. A PEM key is never used as an HMAC secret, which
 * closes the classic RS256→HS256 confusion.
 */
export async function loadVerificationKey(value: string, alg?: SigningAlgorithm): Promise<VerificationKey> {
  const material = await resolveKeyMaterial(value);
  const pem = looksLikePem(new TextDecoder().decode(material.subarray(0, 64)));
  if (!pem) {
    if (alg !== undefined && !isHmac(alg)) {
      throw new AegisError("AEGIS_ERR_BUNDLE_SIGNATURE", `${alg} needs a PEM public key, but the verification key is not PEM`);
    }
    return { key: createSecretKey(material), algorithms: alg === undefined ? HMAC_ALGORITHMS : [alg] };
  }
  if (alg !== undefined && isHmac(alg)) {
    throw new AegisError("AEGIS_ERR_BUNDLE_SIGNATURE", `${alg} needs a shared secret, but the verification key is PEM`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(material), format: "pem" });
  } catch (err) {
    throw keyError("AEGIS_ERR_BUNDLE_SIGNATURE", "the verification key is not a usable PEM key", err);
  }
  if (alg !== undefined) {
    checkAsymmetricKey(key, alg, "AEGIS_ERR_BUNDLE_SIGNATURE");
    return { key, algorithms: [alg] };
  }
  return { key, algorithms: algorithmsFor(key) };
}
