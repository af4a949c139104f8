// The same free-port probe the bench harnesses use (the OS may hand the port out again; good
// enough for tests), and the readiness wait every spawner uses.
export { freePort } from "../../bench/lib/free-port.ts";

/**
 * How long a server, Envoy, Redis or the Collector may take to become ready. Generous on purpose:
 * a 2-core machine running several suites can take tens of seconds to start a Node process.
 * A child that exits stops the wait at once (see StopWaiting), so a real failure is still quick.
 */
export const READY_TIMEOUT_MS = 90_000;

/** Thrown by a probe to end the wait at once (e.g. the child exited); waitFor rethrows it. */
export class StopWaiting extends Error {}

export async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await probe().catch((err: unknown) => {
      if (err instanceof StopWaiting) throw err;
      return false;
    });
    if (ready) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
