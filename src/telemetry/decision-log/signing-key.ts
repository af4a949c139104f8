// Ed25519 keys for checkpoint signatures, from PEM (PKCS8 private as `openssl genpkey -algorithm
// ed25519` writes; SPKI public, or the private key, for verification).
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { AegisError } from "../../errors/registry.ts";

export interface CheckpointSigner {
  readonly privateKey: KeyObject;
  readonly keyId: string;
}

/** A short, stable name for a key: the first 16 hex digits of SHA-256 over its SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
}

function requireEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new AegisError("AEGIS_ERR_DECISION_LOG", `the decision log ${what} must be an Ed25519 key, not ${key.asymmetricKeyType ?? "a symmetric key"}`);
  }
  return key;
}

export function loadSigner(privateKeyPem: string): CheckpointSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new AegisError("AEGIS_ERR_DECISION_LOG", "the decision log signing key is not a PEM private key", { cause: err });
  }
  requireEd25519(privateKey, "signing key");
  return { privateKey, keyId: keyIdOf(createPublicKey(privateKey)) };
}

export function loadVerificationKey(publicKeyPem: string): KeyObject {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(publicKeyPem);
  } catch (err) {
    throw new AegisError("AEGIS_ERR_DECISION_LOG", "the verification key is not a PEM public (or private) key", { cause: err });
  }
  return requireEd25519(publicKey, "verification key");
}
