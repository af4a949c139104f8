// Parameter bounds of a standing approval, written the way an approver types them in the CLI
// (`--bound 'amount<=8000'`) or the console (one per line): `name <= N`, `name >= N`,
// `name in a, b, c`. Anything else is refused with the line that did not parse.
import { AegisError } from "../errors/registry.ts";
import type { ParamBound } from "../state/standing-approval-store.ts";

const NUMBER = /^-?\d+(\.\d+)?$/;
const NAME = /^[A-Za-z_][\w.\-/]*$/;

export function parseBounds(lines: readonly string[]): ParamBound[] {
  const byParam = new Map<string, { min?: number; max?: number; in?: (string | number)[] }>();
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") continue;
    const m = /^(\S+?)\s*(<=|>=|\s+in\s+)\s*(.+)$/.exec(line);
    if (m === null || !NAME.test(m[1] as string)) throw new AegisError("AEGIS_ERR_USAGE", `bound "${line}" is not "name <= N", "name >= N" or "name in a, b"`);
    const param = m[1] as string;
    const op = (m[2] as string).trim();
    const value = (m[3] as string).trim();
    const bound = byParam.get(param) ?? {};
    if (op === "in") {
      const items = value.replace(/^\[|\]$/g, "").split(",").map((s) => s.trim()).filter((s) => s !== "");
      if (items.length === 0) throw new AegisError("AEGIS_ERR_USAGE", `bound "${line}" lists no values`);
      bound.in = items.map((s) => (NUMBER.test(s) ? Number(s) : s));
    } else {
      if (!NUMBER.test(value)) throw new AegisError("AEGIS_ERR_USAGE", `bound "${line}" needs a plain decimal number`);
      if (op === "<=") bound.max = Number(value);
      else bound.min = Number(value);
    }
    byParam.set(param, bound);
  }
  return [...byParam].map(([param, b]) => ({ param, ...b }));
}

export function boundsText(bounds: readonly ParamBound[]): string {
  const parts: string[] = [];
  for (const b of bounds) {
    if (b.min !== undefined) parts.push(`${b.param} >= ${b.min}`);
    if (b.max !== undefined) parts.push(`${b.param} <= ${b.max}`);
    if (b.in !== undefined) parts.push(`${b.param} in [${b.in.join(", ")}]`);
  }
  return parts.join("; ") || "any parameters";
}
