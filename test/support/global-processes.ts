// Vitest globalSetup: the directory where every test worker records the children it spawns, and
// at the end of the run, SIGKILL for any of them still alive (a worker that died before its
// afterAll ran). See process-registry.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { killRecordedProcesses } from "./process-registry.ts";

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "aegis-test-processes-"));
  project.provide("processRegistryDir", dir);
  return () => {
    const killed = killRecordedProcesses(dir);
    if (killed.length > 0) process.stderr.write(`[process-registry] killed processes left by crashed test workers: ${killed.join(", ")}\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
