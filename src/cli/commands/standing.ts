// aegis standing create|list|revoke: standing approvals through the admin API.
import { boundsText } from "../../approvals/standing-bounds.ts";
import type { StandingApproval } from "../../state/standing-approval-store.ts";
import { parseCommand, usageError } from "../parse-command.ts";
import { ADMIN_OPTIONS, adminClient, durationSeconds } from "./admin-client.ts";

const USAGE = `usage: aegis standing create --tenant T --agent A --tool TOOL --action ACTION --uses N --expires-in 24h --by NAME
                              [--bound 'amount<=8000'] [--bound 'currency in eur, usd'] [--comment TEXT]
       aegis standing list [--tenant T] [--agent A] [--status active|exhausted|expired|revoked]
       aegis standing revoke <id> --by NAME
options: --server http://127.0.0.1:8181 (or AEGIS_ADMIN_URL), --admin-token T (or AEGIS_ADMIN_TOKEN), --json
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("standing", USAGE, {
    args, allowPositionals: true,
    options: {
      ...ADMIN_OPTIONS, tenant: { type: "string" }, agent: { type: "string" }, tool: { type: "string" }, action: { type: "string" }, uses: { type: "string" },
      "expires-in": { type: "string" }, by: { type: "string" }, bound: { type: "string", multiple: true }, comment: { type: "string" }, status: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const call = adminClient(values);
  if (call === null) return usageError("standing", USAGE, "the admin token is required (--admin-token or AEGIS_ADMIN_TOKEN)");
  const print = (value: unknown, text: string) => process.stdout.write(values.json === true ? `${JSON.stringify(value, null, 2)}\n` : text);
  const line = (s: StandingApproval) => `${s.id}  ${s.status.padEnd(9)} ${s.tenant}/${s.agent}  ${s.tool}.${s.action}  ${boundsText(s.bounds)}  ${s.uses_left}/${s.uses_total} left  expires ${s.expires_at}\n`;

  switch (positionals[0]) {
    case "create": {
      const seconds = values["expires-in"] === undefined ? null : durationSeconds(values["expires-in"]);
      const uses = Number(values.uses);
      if (values.tenant === undefined || values.agent === undefined || values.tool === undefined || values.action === undefined || values.by === undefined || seconds === null || !Number.isInteger(uses)) {
        return usageError("standing", USAGE, "create needs --tenant, --agent, --tool, --action, --uses N, --expires-in (e.g. 24h) and --by");
      }
      const { standing_approval: s } = (await call("POST", "/v1/standing-approvals", {
        tenant: values.tenant, agent: values.agent, tool: values.tool, action: values.action, uses, expires_in_seconds: seconds,
        bounds: values.bound ?? [], created_by: values.by, ...(values.comment === undefined ? {} : { comment: values.comment }),
      })) as { standing_approval: StandingApproval };
      print(s, `created ${line(s)}`);
      return 0;
    }
    case "list": {
      const q = new URLSearchParams();
      for (const key of ["tenant", "agent", "status"] as const) if (values[key] !== undefined) q.set(key, values[key]);
      const { standing_approvals: list } = (await call("GET", `/v1/standing-approvals${q.size > 0 ? `?${q}` : ""}`)) as { standing_approvals: StandingApproval[] };
      print(list, list.map(line).join("") || "no standing approvals\n");
      return 0;
    }
    case "revoke": {
      const id = positionals[1];
      if (id === undefined || values.by === undefined) return usageError("standing", USAGE, "revoke needs <id> and --by");
      const { standing_approval: s } = (await call("POST", `/v1/standing-approvals/${encodeURIComponent(id)}/revoke`, { by: values.by })) as { standing_approval: StandingApproval };
      print(s, `revoked ${line(s)}`);
      return 0;
    }
  }
  return usageError("standing", USAGE, positionals[0] === undefined ? undefined : `unknown subcommand "${positionals[0]}"`);
}
