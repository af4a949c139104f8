// Which of `data` a custom module may read. Aegis evaluates each call against its slice of
// data.json only (src/bundle/data-slice.ts: the caller's tenant, and of its agents only the
// caller), so a module that read another agent's or tenant's data would decide differently under
// Aegis than under OPA. A module therefore reads per-tenant data only as the library exposes it:
// data.aegis.identity.agent_config, and data.aegis.identity.tenant_config.<field> for a field other
// than "agents"; never data.tenants, the whole of data, or a package that holds tenant_config whole.
// Nor may a `with` rename the caller: agent_config `with input.agent as "other"` is another agent's
// data under OPA, and nothing under Aegis, whose slice holds the caller's agent only.

/** A term of OPA's JSON AST, as `opa parse --format json` writes it. */
export interface RefTerm {
  readonly type: string;
  readonly value: unknown;
  readonly location?: { readonly row: number; readonly col: number };
}

const TENANT_CONFIG = ["data", "aegis", "identity", "tenant_config"] as const;
/** Where the library reads whose call it is (policies/aegis/request.rego); a `with` may replace none of them. */
const CALLER = [["input", "tenant"], ["input", "agent"], ["data", "aegis", "request", "tenant"], ["data", "aegis", "request", "agent"]] as const;

/** The leading string keys of a ref, its head first ("data", or an import's path). */
function staticPath(parts: readonly RefTerm[], aliases: ReadonlyMap<string, readonly string[]>): string[] | null {
  const head = parts[0];
  if (head?.type !== "var") return null;
  const base = head.value === "data" || head.value === "input" ? [head.value] : aliases.get(String(head.value));
  if (base === undefined) return null;
  const path = [...base];
  for (const part of parts.slice(1)) {
    if (part.type !== "string") break;
    path.push(String(part.value));
  }
  return path;
}

/** Why reading `path` (the ref's static prefix; `complete` when the ref has no other keys) could see another call's data; null when it cannot. */
function leak(path: readonly string[], complete: boolean): string | null {
  if (path[0] !== "data") return null;
  if (path.length === 1) return "reads the whole of `data`";
  if (path[1] === "tenants") return "reads `data.tenants`; read the caller's data as `data.aegis.identity.agent_config` and `data.aegis.identity.tenant_config.<field>`";
  const sharesPrefix = TENANT_CONFIG.every((key, i) => i >= path.length || path[i] === key);
  if (!sharesPrefix) return null;
  if (path.length < TENANT_CONFIG.length || (path.length === TENANT_CONFIG.length && complete)) {
    return `reads \`${path.join(".")}\` whole, which holds the tenant's config; name the field it needs (\`data.aegis.identity.tenant_config.mode\`)`;
  }
  if (path.length === TENANT_CONFIG.length) return "reads a field of `data.aegis.identity.tenant_config` chosen at run time; name the field it needs";
  if (path[TENANT_CONFIG.length] === "agents") return "reads `tenant_config.agents`; read the caller's agent as `data.aegis.identity.agent_config`";
  return null;
}

/** Each ref of a module's AST that could read beyond the call's slice, with why. */
export function sliceLeaks(ast: Record<string, unknown>): { term: RefTerm; message: string }[] {
  const aliases = new Map<string, readonly string[]>();
  for (const imp of (ast.imports as { path?: RefTerm; alias?: string }[] | undefined) ?? []) {
    const parts = Array.isArray(imp.path?.value) ? (imp.path.value as RefTerm[]) : [];
    const path = staticPath(parts, new Map());
    // `import data as d` too: what `d` then reads is judged as a read of data.
    if (path === null) continue;
    aliases.set(imp.alias ?? path[path.length - 1]!, path);
  }
  const found: { term: RefTerm; message: string }[] = [];
  const visit = (node: unknown, inImport: boolean): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, inImport);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const term = node as RefTerm;
    const modifier = node as { target?: RefTerm; value?: unknown };
    if (!inImport && modifier.target?.type === "ref" && Array.isArray(modifier.target.value) && "value" in modifier) {
      const path = staticPath(modifier.target.value as RefTerm[], aliases);
      // A prefix (`with input as {...}`) replaces the caller's names too.
      if (path !== null && CALLER.some((name) => path.every((key, i) => i >= name.length || name[i] === key))) {
        found.push({ term: modifier.target, message: `replaces \`${path.join(".")}\` with \`with\`, which names another caller whose data this call's slice does not hold` });
      }
    }
    if (term.type === "ref" && Array.isArray(term.value)) {
      const parts = term.value as RefTerm[];
      const path = staticPath(parts, aliases);
      // An import only names a package; what matters is what its alias then reads, except that
      // importing data.tenants (or data) is already reading it.
      const complete = parts.slice(1).every((part) => part.type === "string");
      const why = path === null ? null : inImport ? (path[1] === "tenants" ? leak(path, true) : null) : leak(path, complete);
      if (why !== null) found.push({ term, message: why });
    }
    for (const value of Object.values(node)) visit(value, inImport);
  };
  visit(ast.imports, true);
  const { imports: _imports, ...rest } = ast;
  visit(rest, false);
  return found;
}
