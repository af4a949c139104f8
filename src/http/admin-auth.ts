// The admin bearer token check every admin route shares.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./http-error.ts";

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** The admin bearer token, compared in constant time (over digests, so lengths leak nothing). */
export function isAdminRequest(req: IncomingMessage, adminToken: string): boolean {
  const header = req.headers.authorization ?? "";
  const presented = header.startsWith("Bearer ") ? header.slice(7) : "";
  return presented !== "" && timingSafeEqual(digest(presented), digest(adminToken));
}

export function requireAdmin(req: IncomingMessage, adminToken: string): void {
  if (!isAdminRequest(req, adminToken)) throw new HttpError(401, "unauthorized", "a valid admin bearer token is required");
}
