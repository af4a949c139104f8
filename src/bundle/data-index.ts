// Where each tenant and agent sits inside data.json's bytes, found by a structural scan (strings,
// escapes and nesting tracked; nothing parsed): the server keeps the bytes and this index instead
// of the parsed document, and each call's data is assembled from a few ranges (data-slice.ts).
// The scan checks structure only; every byte is still parsed by JSON.parse, piece by piece, when
// the bundle is validated (data-schema.ts) before it may go live.
import { AegisError } from "../errors/registry.ts";

/** One tenant: the ranges of its object, of its `agents` value, and of each agent. */
export interface TenantIndex {
  readonly name: string;
  /** The tenant's key as written (quotes included), and its value. */
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly start: number;
  readonly end: number;
  /** The `agents` object (braces included). */
  readonly agentsStart: number;
  readonly agentsEnd: number;
  /**
   * The agents' names (decoded, UTF-8), sorted by their bytes and concatenated: name i is
   * agentNames[agentNameEnds[i-1] ?? 0, agentNameEnds[i]). Typed arrays rather than strings and a
   * Map, so the index crosses threads without copying and the main thread builds nothing on a swap.
   */
  readonly agentNames: Uint8Array;
  readonly agentNameEnds: Uint32Array;
  /** Per agent i (same order): [keyStart, keyEnd, valueStart, valueEnd] at 4i. */
  readonly agentRanges: Uint32Array;
}

/**
 * The index of a data.json. `tenants` null: the document does not have the Aegis shape
 * (`tenants` an object of objects that each have an `agents` object), so it is used whole.
 */
export interface DataIndex {
  readonly byteLength: number;
  /** The top-level `tenants` object (braces included). */
  readonly tenantsStart: number;
  readonly tenantsEnd: number;
  readonly tenants: readonly TenantIndex[] | null;
}

function invalid(message: string): AegisError {
  return new AegisError("AEGIS_ERR_BUNDLE_INVALID", `data.json is not valid JSON: ${message}`);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const decoder = new TextDecoder("utf-8", { fatal: true });

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** End (exclusive) of the string starting at b[i] === '"'. */
function skipString(b: Uint8Array, i: number): number {
  for (let j = i + 1; j < b.length; j++) {
    const c = b[j]!;
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  throw invalid(`unterminated string at byte ${i}`);
}

/** End (exclusive) of the value starting at b[i] (no leading whitespace). */
function skipValue(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === 0x7b || c === 0x5b) {
    // The hot loop of a reload (every byte of every agent): strings are skipped inline.
    const n = b.length;
    let depth = 0;
    let inString = false;
    for (let j = i; j < n; j++) {
      const d = b[j]!;
      if (inString) {
        if (d === BACKSLASH) j++;
        else if (d === QUOTE) inString = false;
      } else if (d === QUOTE) inString = true;
      else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return j + 1;
      }
    }
    throw invalid(`unterminated ${c === 0x7b ? "object" : "array"} at byte ${i}`);
  }
  // A number or literal: up to the next delimiter; JSON.parse of the enclosing piece checks it.
  let j = i;
  while (j < b.length) {
    const d = b[j]!;
    if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
    j++;
  }
  if (j === i) throw invalid(`expected a value at byte ${i}`);
  return j;
}

function decodeKey(b: Uint8Array, start: number, end: number): string {
  try {
    return JSON.parse(decoder.decode(b.subarray(start, end))) as string;
  } catch (err) {
    throw invalid(`bad object key at byte ${start}: ${(err as Error).message}`);
  }
}

interface Member {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  /** Where the member's value starts. */
  readonly start: number;
}

/**
 * Calls `visit` for each member of the object at b[start] === '{'; returns the object's end. A
 * visitor that scans the value itself returns its end, so each byte is scanned once; otherwise
 * the value is skipped here.
 */
function forEachMember(b: Uint8Array, start: number, visit: (member: Member) => number | undefined): number {
  let i = skipSpace(b, start + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    if (b[i] !== QUOTE) throw invalid(`expected an object key at byte ${i}`);
    const keyEnd = skipString(b, i);
    const colon = skipSpace(b, keyEnd);
    if (b[colon] !== 0x3a) throw invalid(`expected ':' at byte ${colon}`);
    const valueStart = skipSpace(b, colon + 1);
    const valueEnd = visit({ key: decodeKey(b, i, keyEnd), keyStart: i, keyEnd, start: valueStart }) ?? skipValue(b, valueStart);
    i = skipSpace(b, valueEnd);
    if (b[i] === 0x7d) return i + 1;
    if (b[i] !== 0x2c) throw invalid(`expected ',' or '}' at byte ${i}`);
    i = skipSpace(b, i + 1);
  }
}

function uniqueKey(seen: Set<string>, key: string, where: string): void {
  if (seen.has(key)) throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", `data.json has ${where} ${JSON.stringify(key)} twice`);
  seen.add(key);
}

interface AgentsScan {
  readonly start: number;
  readonly end: number;
  readonly names: Uint8Array[];
  readonly ranges: number[];
}

function scanAgents(b: Uint8Array, tenant: string, start: number): AgentsScan {
  const names: Uint8Array[] = [];
  const ranges: number[] = [];
  const seen = new Set<string>();
  const end = forEachMember(b, start, (agent) => {
    uniqueKey(seen, agent.key, `agent ${JSON.stringify(tenant)}/`);
    // Lookups compare UTF-8 bytes: a lone surrogate has none of its own.
    if (!agent.key.isWellFormed()) throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", `data.json: agent name ${JSON.stringify(agent.key)} of tenant ${JSON.stringify(tenant)} is not well-formed Unicode`);
    const valueEnd = skipValue(b, agent.start);
    names.push(encoder.encode(agent.key));
    ranges.push(agent.keyStart, agent.keyEnd, agent.start, valueEnd);
    return valueEnd;
  });
  return { start, end, names, ranges };
}

/** The tenant's index (null when it is not an object with an `agents` object) and its value's end. */
function indexTenant(b: Uint8Array, entry: Member): { tenant: TenantIndex | null; end: number } {
  if (b[entry.start] !== 0x7b) return { tenant: null, end: skipValue(b, entry.start) };
  let agents: AgentsScan | null = null;
  let agentsSeen = false;
  const end = forEachMember(b, entry.start, (member) => {
    if (member.key !== "agents") return undefined;
    if (agentsSeen) throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", `data.json: tenant ${JSON.stringify(entry.key)} has "agents" twice`);
    agentsSeen = true;
    if (b[member.start] !== 0x7b) return undefined;
    agents = scanAgents(b, entry.key, member.start);
    return agents.end;
  });
  const found = agents as AgentsScan | null;
  if (found === null) return { tenant: null, end };
  const { names, ranges } = found;
  const order = names.map((_, i) => i).sort((x, y) => compareBytes(names[x]!, 0, names[x]!.length, names[y]!));
  const ends = new Uint32Array(names.length);
  const sortedRanges = new Uint32Array(ranges.length);
  let total = 0;
  order.forEach((from, to) => {
    total += names[from]!.length;
    ends[to] = total;
    sortedRanges.set(ranges.slice(4 * from, 4 * from + 4), 4 * to);
  });
  const blob = new Uint8Array(total);
  order.forEach((from, to) => blob.set(names[from]!, to === 0 ? 0 : ends[to - 1]!));
  return {
    end,
    tenant: {
      name: entry.key, keyStart: entry.keyStart, keyEnd: entry.keyEnd, start: entry.start, end,
      agentsStart: found.start, agentsEnd: found.end, agentNames: blob, agentNameEnds: ends, agentRanges: sortedRanges,
    },
  };
}

const encoder = new TextEncoder();

/** Byte order of a[start, end) against b: negative, zero or positive. */
export function compareBytes(a: Uint8Array, start: number, end: number, b: Uint8Array): number {
  const n = Math.min(end - start, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[start + i]! - b[i]!;
    if (d !== 0) return d;
  }
  return end - start - b.length;
}

/** Position of `name` (UTF-8) among a tenant's sorted agent names, or -1. */
export function findAgent(tenant: TenantIndex, name: Uint8Array): number {
  let lo = 0;
  let hi = tenant.agentNameEnds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareBytes(tenant.agentNames, mid === 0 ? 0 : tenant.agentNameEnds[mid - 1]!, tenant.agentNameEnds[mid]!, name);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Scans data.json's bytes; throws AEGIS_ERR_BUNDLE_INVALID when their structure is not JSON's. */
export function indexData(b: Uint8Array): DataIndex {
  const start = skipSpace(b, 0);
  if (b[start] !== 0x7b) throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", "data.json must hold a JSON object");
  let tenants: { start: number; end: number; list: TenantIndex[] } | null = null;
  let aegisShape = true;
  const top = new Set<string>();
  const end = forEachMember(b, start, (member) => {
    uniqueKey(top, member.key, "top-level key");
    if (member.key !== "tenants" || b[member.start] !== 0x7b) return undefined;
    const list: TenantIndex[] = [];
    const seen = new Set<string>();
    const tenantsEnd = forEachMember(b, member.start, (entry) => {
      uniqueKey(seen, entry.key, "tenant");
      const { tenant, end: tenantEnd } = indexTenant(b, entry);
      if (tenant === null) aegisShape = false;
      else list.push(tenant);
      return tenantEnd;
    });
    tenants = { start: member.start, end: tenantsEnd, list };
    return tenantsEnd;
  });
  if (skipSpace(b, end) !== b.length) throw invalid(`unexpected bytes after the object at byte ${end}`);
  const found = tenants as { start: number; end: number; list: TenantIndex[] } | null;
  if (found === null || !aegisShape) return { byteLength: b.length, tenantsStart: 0, tenantsEnd: 0, tenants: null };
  return { byteLength: b.length, tenantsStart: found.start, tenantsEnd: found.end, tenants: found.list };
}

/** The typed arrays of an index, to move it to another thread without copying. */
export function indexBuffers(index: DataIndex): ArrayBuffer[] {
  return (index.tenants ?? []).flatMap((t) => [t.agentRanges.buffer, t.agentNames.buffer, t.agentNameEnds.buffer] as ArrayBuffer[]);
}
