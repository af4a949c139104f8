// Revoking call-chain attestations before they expire: an operator (or an incident script)
// tombstones the attestation's jti, and every later call presenting it is a call_chain_violation.
import type { TombstoneStore } from "../state/tombstone-store.ts";
import { requireAdmin } from "../http/admin-auth.ts";
import { readJsonBody, sendJson } from "../http/body.ts";
import { HttpError } from "../http/http-error.ts";
import type { Route } from "../http/route.ts";

/** Longer than any attestation may live, so a revoked id cannot outlive its tombstone. */
const DEFAULT_TOMBSTONE_SECONDS = 24 * 3600;

export function revocationRoutes(tombstones: TombstoneStore, adminToken: string | undefined): Route[] {
  if (adminToken === undefined || adminToken === "") return [];
  return [
    {
      method: "POST",
      path: "/v1/revocations",
      handler: async (req, res) => {
        requireAdmin(req, adminToken);
        const body = (await readJsonBody(req)) as Record<string, unknown>;
        const id = body.id;
        if (typeof id !== "string" || id === "") throw new HttpError(400, "invalid_request", 'body needs the attestation id as "id"');
        const seconds = body.expires_in_seconds ?? DEFAULT_TOMBSTONE_SECONDS;
        if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) throw new HttpError(400, "invalid_request", '"expires_in_seconds" must be a positive number');
        const expiresAt = Date.now() + seconds * 1000;
        await tombstones.addTombstone(id, expiresAt);
        sendJson(res, 201, { id, revoked_until: new Date(expiresAt).toISOString() });
      },
    },
  ];
}
