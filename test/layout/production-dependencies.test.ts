// The production image installs `dependencies` only (npm ci --omit=dev) and ships src/, proto/
// and schemas/ (Dockerfile): whatever src/ loads at run time must come from those.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importsOf, REPO_ROOT, runtimeClosure, sourceFiles } from "../support/static-imports.ts";

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
const IN_IMAGE = ["src/", "schemas/", "proto/"];

function outsideProduction(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    const { packages, files: local } = importsOf(file);
    return [
      ...packages.filter((p) => !p.typeOnly && !Object.hasOwn(manifest.dependencies, p.name)).map((p) => `${file} loads ${p.name}, which is not in dependencies`),
      ...local.filter((d) => !d.typeOnly && !IN_IMAGE.some((dir) => d.path.startsWith(dir))).map((d) => `${file} loads ${d.path}, which the image does not ship`),
    ];
  });
}

describe("production dependencies", () => {
  it("aegis bench loads only dependencies and files the image ships", () => {
    const graph = runtimeClosure(["src/cli/main.ts", "src/cli/commands/bench.ts"]);
    expect(graph).toContain("src/bench/eval-bench.ts");
    expect(outsideProduction(graph)).toEqual([]);
  });

  it("no file under src/ (tests aside) loads a devDependency or a file outside the image", () => {
    expect(outsideProduction(sourceFiles("src"))).toEqual([]);
  });
});
