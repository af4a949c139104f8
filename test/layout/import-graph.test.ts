// The folders of src/ import one way (docs/architecture.md): a cycle between two folders, or an
// import up or across the documented layers, means a folder holds something that belongs elsewhere.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { folderCycles, folderEdges } from "../support/folder-graph.ts";
import { codeSpans, tableUnder } from "../support/markdown-table.ts";
import { REPO_ROOT } from "../support/static-imports.ts";

const edges = folderEdges();

/** Folder → layer number, from the table in docs/architecture.md. */
function documentedLayers(): Map<string, number> {
  const rows = tableUnder(readFileSync(join(REPO_ROOT, "docs", "architecture.md"), "utf8"), "## Layers");
  const layers = new Map<string, number>();
  for (const [layer, cell] of rows) {
    for (const span of codeSpans(cell ?? "")) {
      const folder = /^src\/([^/]+)\/$/.exec(span)?.[1];
      if (folder !== undefined) layers.set(folder, Number(layer));
    }
  }
  return layers;
}

describe("the import graph between src/ folders", () => {
  it("has no cycle", () => {
    const report = folderCycles(edges).map((cycle) => {
      const steps = cycle.slice(1).map((to, i) => edges.find((e) => e.from === cycle[i] && e.to === to)?.because.join("\n      ") ?? "");
      return `${cycle.join(" -> ")}\n      ${steps.join("\n      ")}`;
    });
    expect(report, `import cycles between src/ folders:\n${report.join("\n")}`).toEqual([]);
  });

  it("places every folder in a layer of docs/architecture.md", () => {
    const layers = documentedLayers();
    const folders = readdirSync(join(REPO_ROOT, "src"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !layers.has(f)), "src/ folders docs/architecture.md does not place").toEqual([]);
    expect([...layers.keys()].filter((f) => !folders.includes(f)), "folders docs/architecture.md places that do not exist").toEqual([]);
  });

  it("imports only downwards through those layers", () => {
    const layers = documentedLayers();
    const wrong = edges
      .filter((e) => layers.has(e.from) && layers.has(e.to) && (layers.get(e.to) as number) <= (layers.get(e.from) as number))
      .map((e) => `${e.from} (layer ${layers.get(e.from)}) -> ${e.to} (layer ${layers.get(e.to)}):\n      ${e.because.join("\n      ")}`);
    expect(wrong, `imports that go up or sideways:\n${wrong.join("\n")}`).toEqual([]);
  });
});

describe("folderCycles", () => {
  it("finds nothing in a graph that points one way", () => {
    expect(folderCycles([{ from: "cli", to: "server" }, { from: "server", to: "authz" }, { from: "cli", to: "authz" }])).toEqual([]);
  });

  it("names each cycle as a closed path, the shortest through each folder", () => {
    const graph = [
      { from: "authz", to: "server" }, { from: "server", to: "authz" },
      { from: "console", to: "ops" }, { from: "ops", to: "state" }, { from: "state", to: "console" }, { from: "state", to: "errors" },
    ];
    expect(folderCycles(graph)).toEqual([["authz", "server", "authz"], ["console", "ops", "state", "console"]]);
  });
});
