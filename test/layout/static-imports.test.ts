import { describe, expect, it } from "vitest";
import { packageOf, staticImports } from "../support/static-imports.ts";

describe("staticImports", () => {
  it("reads every import form the code base uses, type-only ones marked", () => {
    const source = [
      'import { a, type B } from "./a.ts";',
      'import type { C } from "../c.ts";',
      "import {",
      "  d,",
      "  e,",
      '} from "pkg";',
      'export { f } from "./f.ts";',
      'export type { G } from "./g.ts";',
      'export * from "@scope/h/sub";',
      'import "./side-effect.ts";',
      'import schema from "../s.json" with { type: "json" };',
      'const i = await import("node:fs");',
      'const j = createRequire(import.meta.url)("cjs-pkg");',
      'const WORKER = new URL("./worker.ts", import.meta.url);',
      'const ROOT = new URL("../../", import.meta.url);',
      '// import { no } from "commented-out";',
      'const text = "nothing from \\"here\\"";',
    ].join("\n");
    expect(staticImports(source)).toEqual([
      { specifier: "./a.ts", typeOnly: false },
      { specifier: "../c.ts", typeOnly: true },
      { specifier: "pkg", typeOnly: false },
      { specifier: "./f.ts", typeOnly: false },
      { specifier: "./g.ts", typeOnly: true },
      { specifier: "@scope/h/sub", typeOnly: false },
      { specifier: "./side-effect.ts", typeOnly: false },
      { specifier: "../s.json", typeOnly: false },
      { specifier: "node:fs", typeOnly: false },
      { specifier: "cjs-pkg", typeOnly: false },
      { specifier: "./worker.ts", typeOnly: false },
    ]);
  });
});

describe("packageOf", () => {
  it("names the package a bare specifier loads, and nothing for paths and built-ins", () => {
    expect(packageOf("@grpc/grpc-js")).toBe("@grpc/grpc-js");
    expect(packageOf("ajv/dist/2020.js")).toBe("ajv");
    expect(packageOf("@opentelemetry/sdk-trace/build/x")).toBe("@opentelemetry/sdk-trace");
    expect(packageOf("node:fs")).toBeNull();
    expect(packageOf("fs")).toBeNull();
    expect(packageOf("./x.ts")).toBeNull();
  });
});
