// The import graph between the top-level folders of src/, and its cycles: the layout tests read
// it to keep the folders importing one way (docs/architecture.md).
import { importsOf, sourceFiles } from "./static-imports.ts";

/** One folder importing another, with the file-level imports that make the edge. */
export interface FolderEdge {
  readonly from: string;
  readonly to: string;
  readonly because: readonly string[];
}

function folderOf(path: string): string | null {
  const parts = path.split("/");
  return parts[0] === "src" && parts.length > 2 ? (parts[1] as string) : null;
}

/** Every edge between two different src/ folders; type-only imports count, since they tie the folders' designs together. */
export function folderEdges(): FolderEdge[] {
  const edges = new Map<string, { from: string; to: string; because: string[] }>();
  for (const file of sourceFiles("src")) {
    const from = folderOf(file);
    for (const dep of importsOf(file).files) {
      const to = folderOf(dep.path);
      if (from === null || to === null || from === to) continue;
      const key = `${from}\0${to}`;
      const edge = edges.get(key) ?? { from, to, because: [] };
      edge.because.push(`${file} imports ${dep.path}${dep.typeOnly ? " (type only)" : ""}`);
      edges.set(key, edge);
    }
  }
  return [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/**
 * The cycles between folders, each a closed path such as ["authz", "server", "authz"]: within
 * each strongly connected group (Tarjan), the shortest cycle through each of its folders, so one
 * fix does not hide the next. None when the folders import one way.
 */
export function folderCycles(edges: readonly Pick<FolderEdge, "from" | "to">[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group);
    }
  };
  for (const v of nodes) if (!index.has(v)) connect(v);
  const cycles = new Map<string, string[]>();
  for (const group of groups) {
    for (const start of group) {
      const cycle = cycleThrough(start, new Set(group), next);
      const canonical = rotateToSmallest(cycle);
      cycles.set(canonical.join(" "), canonical);
    }
  }
  return [...cycles.values()].sort((a, b) => a.length - b.length || a.join(" ").localeCompare(b.join(" ")));
}

function rotateToSmallest(cycle: readonly string[]): string[] {
  const open = cycle.slice(0, -1);
  const at = open.indexOf([...open].sort()[0] as string);
  const rotated = [...open.slice(at), ...open.slice(0, at)];
  return [...rotated, rotated[0] as string];
}

/** A shortest closed path from `start` back to it, breadth-first inside its group. */
function cycleThrough(start: string, group: ReadonlySet<string>, next: ReadonlyMap<string, readonly string[]>): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of next.get(v) ?? []) {
      if (!group.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at = v; at !== start; at = parent.get(at) as string) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
