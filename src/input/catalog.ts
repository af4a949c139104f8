// The tools catalog (docs/contracts.md §1): which tool and action a plain HTTP call is, by host,
// method and path, when Envoy's route sends no context_extensions. First match wins.

export interface CatalogEntry {
  /** Exact host, "*.suffix" (any deeper name, never the bare suffix) or "*" (any host). */
  readonly host: string;
  /** An HTTP method (case-insensitive) or "*". */
  readonly method: string;
  /** Exact path, "*" for one non-empty segment, a trailing "**" for any rest (also none). */
  readonly path: string;
  readonly tool: string;
  readonly action: string;
  /** "mcp" when the tool is an MCP server: its requests are read as MCP (the action from the body). */
  readonly protocol?: "mcp";
}

export interface CatalogRequest {
  /** Normalized host. */
  readonly host: string;
  readonly method: string;
  /** Path without query string. */
  readonly path: string;
}

export function matchCatalog(entries: readonly CatalogEntry[], request: CatalogRequest): CatalogEntry | null {
  const segments = request.path.split("/");
  for (const entry of entries) {
    if (hostMatches(entry.host, request.host) && methodMatches(entry.method, request.method) && pathMatches(entry.path, segments)) {
      return entry;
    }
  }
  return null;
}

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p === "*") return true;
  if (p.startsWith("*.")) return host.length > p.length - 1 && host.endsWith(p.slice(1));
  return p === host;
}

function methodMatches(pattern: string, method: string): boolean {
  return pattern === "*" || pattern.toUpperCase() === method.toUpperCase();
}

function pathMatches(pattern: string, segments: readonly string[]): boolean {
  const parts = pattern.split("/");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === "**" && i === parts.length - 1) return segments.length >= i;
    const segment = segments[i];
    if (segment === undefined) return false;
    if (part === "*" ? segment === "" : part !== segment) return false;
  }
  return segments.length === parts.length;
}
