// Attack: a small bundle padded with 32 MiB of zeros after its archive, hot-reloaded into a serving
// `aegis serve`. Before the fix the zeros were inflated and re-buffered by the tar parser on the
// event loop (time quadratic in the padding: ~22 s for this one, every Check timing out). Now
// reading stops at the end-of-archive marker, on the loader's worker thread, so the padding is
// never inflated: the bundle goes live at once and checks keep flowing. Both forms are tried: the
// zeros inside the gzip stream (a ~190 KB file) and appended after it (a 32 MiB file).
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildExamples, cataloguedRead, MiB, paddedInside, percentile, readyzUntil, serveLive, sleep, steadyChecks, swapLive, window, workspace,
  stopAllServers, stopServer, type Workspace,
} from "./bundle-harness.ts";

let work: Workspace;
let good: string;
let inside: string;
let appended: string;

beforeAll(async () => {
  work = workspace("padding");
  good = buildExamples(work, "good-1");
  inside = join(work.dir, "padded-inside.tar.gz");
  writeFileSync(inside, await paddedInside(buildExamples(work, "padded-2"), 32 * MiB));
  appended = join(work.dir, "padded-after.tar.gz");
  writeFileSync(appended, Buffer.concat([readFileSync(buildExamples(work, "appended-3")), Buffer.alloc(32 * MiB)]));
});

afterAll(async () => {
  try {
    await stopAllServers();
  } finally {
    work.cleanup();
  }
});

describe("a bundle padded with 32 MiB of zeros after its archive", () => {
  it("goes live without stalling checks, inside or after the gzip stream", { retry: 1, timeout: 120_000 }, async () => {
    expect(statSync(inside).size).toBeLessThan(512 * 1024);
    expect(statSync(appended).size).toBeGreaterThan(32 * MiB);
    const server = await serveLive(work, good);
    const load = steadyChecks(server.grpcPort, cataloguedRead(), 200);
    try {
      await sleep(2_000); // warm-up: connections, JIT
      const baselineFrom = performance.now();
      await sleep(3_000);
      const reloads: { name: string; from: number; liveAfterMs: number; slowestReadyzMs: number }[] = [];
      for (const [name, file, revision] of [["inside", inside, "padded-2"], ["after", appended, "appended-3"]] as const) {
        const from = performance.now();
        swapLive(work, file);
        const live = await readyzUntil(server, (r) => r.bundle.revision === revision || r.bundle.last_error !== null);
        expect(live.body.bundle.last_error).toBeNull();
        expect(live.body.bundle.revision).toBe(revision);
        reloads.push({ name, from, liveAfterMs: Math.round(performance.now() - from), slowestReadyzMs: Math.round(live.slowestMs) });
        await sleep(Math.max(0, 4_000 - (performance.now() - from)));
      }
      await load.stop();

      const before = window(load.samples, baselineFrom, reloads[0]?.from ?? 0);
      const p99Before = percentile(before.map((s) => s.ms), 99);
      const windows = reloads.map((r) => {
        const during = window(load.samples, r.from, r.from + 4_000);
        return { ...r, checks: during.length, slow: during.filter((s) => !s.ok).length, p99DuringMs: +percentile(during.map((s) => s.ms), 99).toFixed(2), maxDuringMs: +Math.max(...during.map((s) => s.ms)).toFixed(2) };
      });
      // A failure is a gRPC error anywhere, or an answer slower than Envoy's timeout while reloading.
      const failures = [...load.samples.filter((s) => s.error !== undefined), ...windows.flatMap((w) => (w.slow > 0 ? [w] : []))];
      console.log(`bundle-padding: ${JSON.stringify({ checks: load.samples.length, failures: failures.length, slowBeforeReload: before.filter((s) => !s.ok).length, p99BeforeMs: +p99Before.toFixed(2), reloads: windows.map(({ from: _, ...w }) => w) })}`);

      expect(failures.slice(0, 3)).toEqual([]);
      expect(load.samples.every((s) => s.outcome === "allow")).toBe(true);
      for (const w of windows) {
        expect(w.checks).toBeGreaterThan(200);
        // Within 2× of the baseline; the 50 ms floor absorbs scheduler noise on a shared 2-core machine.
        expect(w.p99DuringMs).toBeLessThanOrEqual(Math.max(2 * p99Before, p99Before + 50));
        expect(w.slowestReadyzMs).toBeLessThan(500);
        expect(w.liveAfterMs).toBeLessThan(5_000);
      }
    } finally {
      try {
        await load.stop();
      } finally {
        await stopServer(server);
      }
    }
  });
});
