import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./admin-http.ts";

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** The admin bearer token, compared in constant time (over digests, so lengths leak nothing). */
export function requireAdmin(req: IncomingMessage, adminToken: string): void {
  const header = req.headers.authorization ?? "";
  const presented = header.startsWith("Bearer ") ? header.slice(7) : "";
  if (presented === "" || !timingSafeEqual(digest(presented), digest(adminToken))) {
    throw new HttpError(401, "unauthorized", "a valid admin bearer token is required");
  }
}
