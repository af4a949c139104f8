// The folders of src/ import one way (docs/architecture.md): a cycle between two folders means one
// of them holds something that belongs elsewhere.
import { describe, expect, it } from "vitest";
import { folderCycles, folderEdges } from "../support/folder-graph.ts";

describe("the import graph between src/ folders", () => {
  it("has no cycle", () => {
    const edges = folderEdges();
    const report = folderCycles(edges).map((cycle) => {
      const steps = cycle.slice(1).map((to, i) => edges.find((e) => e.from === cycle[i] && e.to === to)?.because.join("\n      ") ?? "");
      return `${cycle.join(" -> ")}\n      ${steps.join("\n      ")}`;
    });
    expect(report, `import cycles between src/ folders:\n${report.join("\n")}`).toEqual([]);
  });
});

describe("folderCycles", () => {
  it("finds nothing in a graph that points one way", () => {
    expect(folderCycles([{ from: "cli", to: "server" }, { from: "server", to: "authz" }, { from: "cli", to: "authz" }])).toEqual([]);
  });

  it("names each cycle as a closed path, the shortest through each folder", () => {
    const edges = [
      { from: "authz", to: "server" }, { from: "server", to: "authz" },
      { from: "console", to: "ops" }, { from: "ops", to: "state" }, { from: "state", to: "console" }, { from: "state", to: "errors" },
    ];
    expect(folderCycles(edges).sort()).toEqual([["authz", "server", "authz"], ["console", "ops", "state", "console"]]);
  });
});
