// The admin API client the operator commands share (standing approvals, bundle rollback):
// server URL and admin token from flags or AEGIS_ADMIN_URL / AEGIS_ADMIN_TOKEN.
import { AegisError } from "../../errors/registry.ts";

export const ADMIN_OPTIONS = { server: { type: "string" }, "admin-token": { type: "string" }, json: { type: "boolean" } } as const;

export type AdminCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

export function adminClient(values: { server?: string | undefined; "admin-token"?: string | undefined }): AdminCall | null {
  const server = (values.server ?? process.env.AEGIS_ADMIN_URL ?? "http://127.0.0.1:8181").replace(/\/$/, "");
  const token = values["admin-token"] ?? process.env.AEGIS_ADMIN_TOKEN;
  if (token === undefined || token === "") return null;
  return async (method, path, body) => {
    let res: Response;
    try {
      res = await fetch(`${server}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (err) {
      throw new AegisError("AEGIS_ERR_USAGE", `cannot reach the admin API at ${server}: ${(err as Error).message}`);
    }
    const json = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    if (!res.ok) {
      const code = res.status === 404 ? (json.error === "bundle_revision_not_kept" ? "AEGIS_ERR_BUNDLE_HISTORY" : "AEGIS_ERR_APPROVAL_NOT_FOUND") : res.status === 409 ? "AEGIS_ERR_APPROVAL_STATE" : "AEGIS_ERR_USAGE";
      throw new AegisError(code, `${res.status} ${json.error ?? ""}: ${json.message ?? ""}`.trim());
    }
    return json;
  };
}

/** "90s", "30m", "24h", "7d" → seconds. */
export function durationSeconds(text: string): number | null {
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (m === null) return null;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as "s" | "m" | "h" | "d"];
}
