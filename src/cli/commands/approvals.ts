// aegis approvals list|show|approve|deny: a thin client of the admin API (port 8181).
import { parseCommand } from "../parse-command.ts";
import { AegisError } from "../../errors/registry.ts";

const USAGE = `usage: aegis approvals list [--status pending|approved|denied|expired] [--tenant T] [--agent A]
       aegis approvals show <id>
       aegis approvals approve <id> --approver NAME [--comment TEXT]
       aegis approvals deny <id> --approver NAME [--comment TEXT]
       aegis approvals batch approve|deny --approver NAME [--tenant T] [--agent A] [--tool TOOL] [--action ACTION] [--all] [--comment TEXT]
options: --server http://127.0.0.1:8181 (or AEGIS_ADMIN_URL), --admin-token T (or AEGIS_ADMIN_TOKEN), --json
`;

const OPTIONS = {
  server: { type: "string" }, "admin-token": { type: "string" }, status: { type: "string" }, tenant: { type: "string" },
  agent: { type: "string" }, approver: { type: "string" }, comment: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" },
  tool: { type: "string" }, action: { type: "string" }, all: { type: "boolean" },
} as const;

interface ApprovalView {
  id: string; tenant: string; agent: string; tool: string; action: string; status: string; reason: string;
  created_at: string; expires_at: string; queue_position: number | null; approver: string | null; params_preview: unknown;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("approvals", USAGE, { args, allowPositionals: true, options: OPTIONS });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const [sub, id] = positionals;
  const server = (values.server ?? process.env.AEGIS_ADMIN_URL ?? "http://127.0.0.1:8181").replace(/\/$/, "");
  const token = values["admin-token"] ?? process.env.AEGIS_ADMIN_TOKEN;
  if (token === undefined || token === "") {
    process.stderr.write("aegis approvals: the admin token is required (--admin-token or AEGIS_ADMIN_TOKEN)\n");
    return 2;
  }
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${server}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (err) {
      throw new AegisError("AEGIS_ERR_USAGE", `cannot reach the admin API at ${server}: ${(err as Error).message}`);
    }
    const json = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    if (!res.ok) throw new AegisError(res.status === 404 ? "AEGIS_ERR_APPROVAL_NOT_FOUND" : res.status === 409 ? "AEGIS_ERR_APPROVAL_STATE" : "AEGIS_ERR_USAGE", `${res.status} ${json.error ?? ""}: ${json.message ?? ""}`.trim());
    return json;
  };
  const print = (value: unknown, text: () => string) => process.stdout.write(values.json === true ? `${JSON.stringify(value, null, 2)}\n` : text());

  switch (sub) {
    case "list": {
      const q = new URLSearchParams();
      for (const key of ["status", "tenant", "agent"] as const) if (values[key] !== undefined) q.set(key, values[key]);
      const { approvals } = (await call("GET", `/v1/approvals${q.size > 0 ? `?${q}` : ""}`)) as { approvals: ApprovalView[] };
      print(approvals, () => approvals.map((a) => `${a.id}  ${a.status.padEnd(8)} ${a.tenant}/${a.agent}  ${a.tool}.${a.action}  ${a.reason}  expires ${a.expires_at}\n`).join("") || "no approvals\n");
      return 0;
    }
    case "show": {
      if (id === undefined) break;
      const a = await call("GET", `/v1/approvals/${encodeURIComponent(id)}`);
      print(a, () => `${JSON.stringify(a, null, 2)}\n`);
      return 0;
    }
    case "approve":
    case "deny": {
      if (id === undefined || values.approver === undefined) break;
      const result = (await call("POST", `/v1/approvals/${encodeURIComponent(id)}/${sub}`, { approver: values.approver, ...(values.comment === undefined ? {} : { comment: values.comment }) })) as { approval: ApprovalView; override_token?: string; token_expires_at?: string };
      print(result, () => sub === "approve"
        ? `approved ${result.approval.id}; one-time override token (send as x-aegis-override-token, expires ${result.token_expires_at}):\n${result.override_token}\n`
        : `denied ${result.approval.id}\n`);
      return 0;
    }
  }
  if (sub === "batch" && (id === "approve" || id === "deny") && values.approver !== undefined) {
    // Every pending approval matching the filter, one resolution (and audit line) each: POST /v1/approvals/batch.
    const filter = Object.fromEntries((["tenant", "agent", "tool", "action"] as const).flatMap((k) => (values[k] === undefined ? [] : [[k, values[k]]])));
    const result = (await call("POST", "/v1/approvals/batch", { decision: id, approver: values.approver, filter, ...(values.all === true ? { all: true } : {}), ...(values.comment === undefined ? {} : { comment: values.comment }) })) as { resolved: ApprovalView[]; skipped: string[] };
    print(result, () => `${id === "approve" ? "approved" : "denied"} ${result.resolved.length} pending approvals${result.skipped.length > 0 ? ` (${result.skipped.length} were resolved meanwhile)` : ""}\n${result.resolved.map((a) => `  ${a.id}  ${a.tenant}/${a.agent}  ${a.tool}.${a.action}\n`).join("")}`);
    return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}
