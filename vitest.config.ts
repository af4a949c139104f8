import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "bench/**/*.test.ts"],
    // Integration tests spawn opa, envoy and redis: give them room on a 2-core machine. A hook
    // outlasts one readiness wait (test/support/ports.ts READY_TIMEOUT_MS) plus a bundle build.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 2,
    // Whatever a test file starts is killed when the file ends, even after a failure or a timeout.
    globalSetup: ["test/support/global-processes.ts"],
    setupFiles: ["test/support/setup-processes.ts"],
  },
});
