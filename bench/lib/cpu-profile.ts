// A text summary of a V8 .cpuprofile (node --cpu-prof): where the samples landed, by function
// (self time) and by area (our code, grpc-js, opa-wasm and WebAssembly, Node internals, GC, idle),
// so RESULTS.md can say what limits a figure without a flame-graph viewer.
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byArea: readonly ProfileEntry[];
  readonly topFunctions: readonly ProfileEntry[];
}

export function areaOf(url: string, functionName: string, root: string): string {
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)") return "V8/native (program)";
  if (url === "") return functionName.startsWith("wasm-function") || /^\$?\w+$/.test(functionName) ? "native or WebAssembly" : "native";
  if (url.startsWith("wasm://")) return "WebAssembly (policy)";
  if (url.startsWith("node:")) return "Node internals";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m !== null) return `npm ${m[1]}`;
  const rel = relative(root, path);
  const dir = rel.split("/").slice(0, 2).join("/");
  return rel.startsWith("..") ? "other" : dir;
}

export function summarizeProfile(profile: CpuProfile, root: string, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const area = areaOf(frame.url, frame.functionName, root);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = frame.url === "" ? "" : ` ${shortUrl(frame.url, root)}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || "(anonymous)"}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const entries = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: totalUs === 0 ? 0 : us / totalUs }));
  return { totalMs: totalUs / 1000, byArea: entries(areas), topFunctions: entries(functions).slice(0, top) };
}

function shortUrl(url: string, root: string): string {
  if (!url.startsWith("file://")) return url;
  const path = fileURLToPath(url);
  const nm = path.lastIndexOf("node_modules/");
  return nm >= 0 ? path.slice(nm + "node_modules/".length) : relative(root, path);
}

export function formatProfileSummary(s: ProfileSummary, excludeIdle = true): string {
  const busy = excludeIdle ? s.totalMs - (s.byArea.find((a) => a.name === "idle")?.ms ?? 0) : s.totalMs;
  const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${busy.toFixed(0)} ms of CPU samples${excludeIdle ? " (idle excluded; shares are of busy time)" : ""}`, "", "by area:"];
  for (const a of s.byArea) if (!(excludeIdle && a.name === "idle")) lines.push(`  ${pct(a.ms)}  ${a.name}`);
  lines.push("", "top functions (self time):");
  for (const f of s.topFunctions) if (!(excludeIdle && f.name.startsWith("(idle)"))) lines.push(`  ${pct(f.ms)}  ${f.name}`);
  return `${lines.join("\n")}\n`;
}
