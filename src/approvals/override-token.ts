// Override tokens. A token is derived from a server secret and the approval (HMAC-SHA256), so
// the approver's API response and the requesting agent's own read of its approval hand out
// the same single token without the token ever being stored: the store keeps only its SHA-256,
// which redemption consumes once.
import { createHash, createHmac } from "node:crypto";

const PREFIX = "aegis_ot_";

export function deriveOverrideToken(secret: Uint8Array, approvalId: string, digest: string): { token: string; tokenHash: string } {
  const token = PREFIX + createHmac("sha256", secret).update(`${approvalId}\u0000${digest}`).digest("base64url");
  return { token, tokenHash: hashOverrideToken(token) };
}

export function hashOverrideToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Cheap shape check before touching the store: anything else is simply unknown. */
export function looksLikeOverrideToken(value: string): boolean {
  return value.startsWith(PREFIX) && value.length === PREFIX.length + 43;
}
