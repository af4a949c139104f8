// Vitest setupFiles entry (runs in each test worker before a test file loads): tracks every
// spawned child and kills, when the file ends, whatever the file left running (process-registry.ts).
import { afterAll, inject } from "vitest";
import { killTrackedProcesses, trackSpawnedProcesses } from "./process-registry.ts";

declare module "vitest" {
  interface ProvidedContext {
    processRegistryDir: string;
  }
}

trackSpawnedProcesses(inject("processRegistryDir"));

// Registered before the file's own hooks, so (hooks run in stack order) it runs after them.
afterAll(async () => {
  const killed = await killTrackedProcesses();
  if (killed.length > 0) process.stderr.write(`[process-registry] killed what this file left running: ${killed.join(", ")}\n`);
});
