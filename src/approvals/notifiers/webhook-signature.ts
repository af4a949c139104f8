// The generic webhook's signature: `x-aegis-signature: sha256=<hex HMAC-SHA256(secret, raw body)>`.
// The body repeats the `x-aegis-timestamp` value, so the timestamp a receiver checks for
// freshness is covered by the signature even though only the body is signed.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-aegis-signature";
export const TIMESTAMP_HEADER = "x-aegis-timestamp";

export function signWebhookBody(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

/** For receivers (and tests): constant-time check of a signature header against the raw body. */
export function verifyWebhookSignature(secret: string, rawBody: string | Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signWebhookBody(secret, rawBody));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
