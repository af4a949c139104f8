// aegis bundle history|rollback: the kept good bundles of a running `aegis serve`, and switching
// back to one (through the admin API).
import { parseCommand, usageError } from "../parse-command.ts";
import { ADMIN_OPTIONS, adminClient } from "./admin-client.ts";

const USAGE = `usage: aegis bundle history
       aegis bundle rollback --revision R --by NAME
options: --server http://127.0.0.1:8181 (or AEGIS_ADMIN_URL), --admin-token T (or AEGIS_ADMIN_TOKEN), --json
`;

interface Live { revision: string | null; origin?: string; rollback?: { by: string; from_revision: string | null } | null }

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("bundle", USAGE, { args, allowPositionals: true, options: { ...ADMIN_OPTIONS, revision: { type: "string" }, by: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const call = adminClient(values);
  if (call === null) return usageError("bundle", USAGE, "the admin token is required (--admin-token or AEGIS_ADMIN_TOKEN)");
  const print = (value: unknown, text: string) => process.stdout.write(values.json === true ? `${JSON.stringify(value, null, 2)}\n` : text);
  const liveText = (live: Live) => `live: ${live.revision ?? "none"}${live.rollback != null ? ` (rolled back by ${live.rollback.by} from ${live.rollback.from_revision ?? "-"})` : ""}\n`;
  switch (positionals[0]) {
    case "history": {
      const result = (await call("GET", "/v1/bundle/history")) as { live: Live; history: { revision: string; loaded_at: string; live: boolean }[] };
      print(result, liveText(result.live) + result.history.map((h) => `${h.live ? "*" : " "} ${h.revision}  loaded ${h.loaded_at}\n`).join(""));
      return 0;
    }
    case "rollback": {
      if (values.revision === undefined || values.by === undefined) return usageError("bundle", USAGE, "rollback needs --revision and --by");
      const result = (await call("POST", "/v1/bundle/rollback", { revision: values.revision, by: values.by })) as { live: Live };
      print(result, `rolled back; ${liveText(result.live)}`);
      return 0;
    }
  }
  return usageError("bundle", USAGE, positionals[0] === undefined ? undefined : `unknown subcommand "${positionals[0]}"`);
}
