// The data one call needs, cut from data.json's bytes by its index: the policy reads per-tenant and
// per-agent data only as data.tenants[input.tenant].agents[input.agent] (policies/aegis/identity.rego;
// custom modules may not read data.tenants at all), so evaluating against
//   {<other top-level keys>, "tenants": {"<T>": {<T's other fields>, "agents": {"<A>": <A>}}}}
// decides exactly as the whole document would. Unknown agent: "agents" is {}; unknown tenant:
// "tenants" is {}.
import { asDataBytes, isDataBytes, type DataBytes } from "./data-bytes.ts";
import { findAgent, indexData, type DataIndex, type TenantIndex } from "./data-index.ts";

/** A call's data: the bytes, and an id equal for every call that gets the same bytes. */
export interface DataSlice {
  readonly id: number;
  readonly json: Uint8Array;
}

interface TenantEntry {
  readonly tenant: TenantIndex;
  /** Slice id of the tenant's first agent; an unknown agent of this tenant is `-2 - position`. */
  readonly firstId: number;
  readonly position: number;
  /** Every slice of this tenant starts and ends with these bytes; kept so a slice reads only its agent's block. */
  around?: { readonly head: Uint8Array; readonly tail: Uint8Array };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const OPEN = Uint8Array.of(0x7b);
const CLOSE = Uint8Array.of(0x7d);
const COLON = Uint8Array.of(0x3a);
const EMPTY = Uint8Array.of(0x7b, 0x7d);

export class DataSlicer {
  readonly #bytes: DataBytes;
  readonly #index: DataIndex;
  readonly #tenants = new Map<string, TenantEntry>();

  constructor(bytes: Uint8Array | DataBytes, index: DataIndex) {
    this.#bytes = asDataBytes(bytes);
    this.#index = index;
    let next = 1;
    (index.tenants ?? []).forEach((tenant, position) => {
      this.#tenants.set(tenant.name, { tenant, firstId: next, position });
      next += tenant.agentNameEnds.length;
    });
  }

  /** True when the document is used whole (not of the Aegis shape). */
  get whole(): boolean {
    return this.#index.tenants === null;
  }

  /** The data for a call by `tenant` and `agent`; its bytes are assembled only when read (an engine that already parsed this id never reads them). */
  slice(tenant: string | null, agent: string | null): DataSlice {
    if (this.#index.tenants === null) return new LazySlice(0, () => this.#bytes.read(0, this.#bytes.byteLength));
    const entry = tenant === null ? undefined : this.#tenants.get(tenant);
    if (entry === undefined) return new LazySlice(-1, () => this.topJson());
    const i = agent === null ? undefined : this.#find(entry, agent);
    return new LazySlice(i === undefined ? -2 - entry.position : entry.firstId + i, () => this.#assemble(entry, i));
  }

  #assemble(entry: TenantEntry, i: number | undefined): Uint8Array {
    const t = entry.tenant;
    const { head, tail } = (entry.around ??= this.#around(t));
    return concat([head, ...(i === undefined ? [EMPTY] : [OPEN, ...this.#agentMember(t, i), CLOSE]), tail]);
  }

  #around(t: TenantIndex): { head: Uint8Array; tail: Uint8Array } {
    const b = this.#bytes;
    const { tenantsEnd, tenantsStart } = this.#index;
    return {
      head: concat([b.read(0, tenantsStart), OPEN, b.read(t.keyStart, t.keyEnd), COLON, b.read(t.start, t.agentsStart)]),
      tail: concat([b.read(t.agentsEnd, t.end), CLOSE, b.read(tenantsEnd, b.byteLength)]),
    };
  }

  /** The agent's object as written, or undefined when the tenant has no such agent. */
  agentJson(tenant: string, agent: string): Uint8Array | undefined {
    const entry = this.#tenants.get(tenant);
    const i = entry === undefined ? undefined : this.#find(entry, agent);
    if (entry === undefined || i === undefined) return undefined;
    const r = entry.tenant.agentRanges;
    return this.#bytes.read(r[4 * i + 2]!, r[4 * i + 3]!);
  }

  /** The tenant's object with "agents" emptied, or undefined for an unknown tenant. */
  tenantJson(tenant: string): Uint8Array | undefined {
    const t = this.#tenants.get(tenant)?.tenant;
    if (t === undefined) return undefined;
    return concat([this.#bytes.read(t.start, t.agentsStart), EMPTY, this.#bytes.read(t.agentsEnd, t.end)]);
  }

  /** The document with "tenants" emptied (the top-level keys other than tenants). */
  topJson(): Uint8Array {
    const b = this.#bytes;
    if (this.#index.tenants === null) return b.read(0, b.byteLength);
    return concat([b.read(0, this.#index.tenantsStart), EMPTY, b.read(this.#index.tenantsEnd, b.byteLength)]);
  }

  tenantNames(): IterableIterator<string> {
    return this.#tenants.keys();
  }

  /** The tenant's agent names, in byte order (decoded on each call: for validation and tools, not the check path). */
  agentNames(tenant: string): string[] {
    const t = this.#tenants.get(tenant)?.tenant;
    if (t === undefined) return [];
    const names: string[] = [];
    let start = 0;
    for (const end of t.agentNameEnds) {
      names.push(decoder.decode(t.agentNames.subarray(start, end)));
      start = end;
    }
    return names;
  }

  #find(entry: TenantEntry, agent: string): number | undefined {
    const i = findAgent(entry.tenant, encoder.encode(agent));
    return i < 0 ? undefined : i;
  }

  #agentMember(t: TenantIndex, i: number): Uint8Array[] {
    const r = t.agentRanges;
    return [this.#bytes.read(r[4 * i]!, r[4 * i + 1]!), COLON, this.#bytes.read(r[4 * i + 2]!, r[4 * i + 3]!)];
  }
}

class LazySlice implements DataSlice {
  readonly id: number;
  readonly #make: () => Uint8Array;
  #json: Uint8Array | undefined;

  constructor(id: number, make: () => Uint8Array) {
    this.id = id;
    this.#make = make;
  }

  get json(): Uint8Array {
    this.#json ??= this.#make();
    return this.#json;
  }
}

const slicers = new WeakMap<DataIndex, DataSlicer>();

/** One slicer per index (the engine and the policy context share its maps and block cache); indexes raw bytes when no index is given. */
export function dataSlicer(bytes: Uint8Array | DataBytes, index?: DataIndex): DataSlicer {
  const known = index === undefined ? undefined : slicers.get(index);
  if (known !== undefined) return known;
  if (index === undefined && isDataBytes(bytes)) throw new Error("compressed data.json needs its index");
  const fresh = new DataSlicer(bytes, index ?? indexData(bytes as Uint8Array));
  if (index !== undefined) slicers.set(index, fresh);
  return fresh;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.byteLength;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
