// Shared by the bundle attack tests: a real `aegis serve` watching a bundle file, a steady stream of
// gRPC Checks against it (latency and outcome of each, with the policy version that answered),
// the hot swap of the watched file by rename, /readyz, and the server's RSS from /proc.
import { once } from "node:events";
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { finished } from "node:stream/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import { Header } from "tar";
import { expect } from "vitest";
import { checkRequest } from "../support/check-request-builder.ts";
import { HEADER } from "../../src/input/header-names.ts";
import type { CheckRequest } from "../../src/grpc/ext-authz-types.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";

/** Envoy's ext_authz timeout in the shipped configs: a slower answer is a failed check. */
export const ENVOY_TIMEOUT_MS = 500;

export interface Workspace {
  readonly dir: string;
  /** The path `aegis serve` watches. */
  readonly live: string;
  cleanup(): void;
}

export function workspace(prefix: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), `aegis-sec-${prefix}-`));
  return { dir, live: join(dir, "live", "bundle.tar.gz"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** policies/examples built with `aegis build` under the given revision. */
export function buildExamples(work: Workspace, revision: string): string {
  const out = join(work.dir, `${revision}.tar.gz`);
  const built = aegis(["build", "policies/examples", "-o", out, "--revision", revision]);
  expect(built.code, built.stderr).toBe(0);
  return out;
}

/** Replaces the watched bundle the way a deploy does: write beside it, rename over it. */
export function swapLive(work: Workspace, bytesOrFile: Uint8Array | string): void {
  const staged = `${work.live}.staged`;
  if (typeof bytesOrFile === "string") cpSync(bytesOrFile, staged);
  else writeFileSync(staged, bytesOrFile);
  renameSync(staged, work.live);
}

const running = new Set<RunningAegisProcess>();

export async function serveLive(work: Workspace, first: string): Promise<RunningAegisProcess> {
  mkdirSync(dirname(work.live), { recursive: true });
  cpSync(first, work.live);
  const server = await startAegisProcess({
    args: ["--bundle", work.live, "--state", `sqlite:${join(work.dir, "state.db")}`, "--trust-identity-headers"],
    env: { AEGIS_BUNDLE_POLL_INTERVAL_MS: "1000", AEGIS_LOG_LEVEL: "warn" },
  });
  running.add(server);
  return server;
}

/** SIGTERM, and SIGKILL if the server has not exited within 5 s (a stalled server must not outlive the test). */
export async function stopServer(server: RunningAegisProcess): Promise<void> {
  running.delete(server);
  const stopped = server.stop();
  const timer = setTimeout(() => void server.kill(), 5_000);
  try {
    await stopped;
  } finally {
    clearTimeout(timer);
  }
}

/** For afterAll: whatever a timed-out test left running. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map(stopServer));
}

/** The docs agent reading a document, routed by the tenant's tools catalog (no context_extensions): allowed, no budget. */
export function cataloguedRead(): CheckRequest {
  return checkRequest({
    method: "GET",
    host: "wiki.docs.acme.internal",
    path: "/docs/handbook",
    headers: { [HEADER.tenant]: "acme", [HEADER.agent]: "docs-agent" },
  });
}

export interface CheckSample {
  /** performance.now() when the check was sent. */
  readonly sentAt: number;
  readonly ms: number;
  readonly ok: boolean;
  readonly outcome?: string;
  readonly policyVersion?: string;
  readonly error?: string;
}

export interface SteadyLoad {
  readonly samples: CheckSample[];
  stop(): Promise<void>;
}

/** `perSecond` Checks a second, sent on a fixed schedule whatever the answers do (open loop). */
export function steadyChecks(port: number, request: CheckRequest, perSecond = 200): SteadyLoad & { client: CheckClient } {
  const client = connectCheckClient(port);
  const samples: CheckSample[] = [];
  const inFlight = new Set<Promise<void>>();
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
  const fire = (): void => {
    const sentAt = performance.now();
    const done = client.check(request).then(
      (answer) => {
        const ms = performance.now() - sentAt;
        const outcome = answer.kind === "ok" ? "allow" : String(answer.body.reason ?? answer.body.error);
        const policyVersion = answer.headers["x-aegis-policy-version"];
        samples.push({ sentAt, ms, ok: ms <= ENVOY_TIMEOUT_MS, outcome, ...(policyVersion === undefined ? {} : { policyVersion }) });
      },
      (err: Error) => void samples.push({ sentAt, ms: performance.now() - sentAt, ok: false, error: err.message }),
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) fire();
  }, tickMs);
  return {
    client,
    samples,
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      client.close();
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export function window(samples: readonly CheckSample[], from: number, to: number): CheckSample[] {
  return samples.filter((s) => s.sentAt >= from && s.sentAt < to);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Readyz {
  ready: boolean;
  bundle: { revision: string | null; last_error: { code: string; message: string } | null };
}

export async function readyz(server: RunningAegisProcess): Promise<{ body: Readyz; ms: number }> {
  const started = performance.now();
  const body = (await (await fetch(`${server.adminUrl}/readyz`)).json()) as Readyz;
  return { body, ms: performance.now() - started };
}

/** Polls /readyz until `ok`, recording how long each answer took (a blocked event loop shows here). */
export async function readyzUntil(server: RunningAegisProcess, ok: (r: Readyz) => boolean, timeoutMs = 20_000): Promise<{ body: Readyz; slowestMs: number }> {
  const deadline = performance.now() + timeoutMs;
  let slowestMs = 0;
  for (;;) {
    const { body, ms } = await readyz(server);
    slowestMs = Math.max(slowestMs, ms);
    if (ok(body) || performance.now() > deadline) return { body, slowestMs };
    await sleep(100);
  }
}

export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) * 1024;
}

export const MiB = 1024 * 1024;

/** The good bundle's tar with `bytes` of zeros after its end-of-archive marker, gzipped as one stream. */
export async function paddedInside(bundle: string, bytes: number): Promise<Uint8Array> {
  return gzipSync(Buffer.concat([gunzipSync(await readFile(bundle)), Buffer.alloc(bytes)]));
}

/**
 * A gzip bomb written as it is made, so the test never holds it: one tar entry, /data.json, whose
 * header declares `declared` bytes, followed by that many zeros. The zeros go out as repeats of one
 * gzip member of 8 MiB of zeros (a gzip file may hold many members; gunzip concatenates them),
 * which keeps the file near 1/1000 of what it inflates to without deflating 2 GiB here.
 */
export async function writeGzipBomb(path: string, declared = 2 * 1024 ** 3): Promise<void> {
  const header = new Header({ path: "/data.json", mode: 0o644, size: declared, type: "File", mtime: new Date(0) });
  header.encode();
  const piece = 8 * MiB;
  const zeros = gzipSync(Buffer.alloc(piece), { level: 9 });
  const out = createWriteStream(path);
  out.write(gzipSync(header.block as Buffer));
  for (let written = 0; written < declared; written += piece) {
    if (!out.write(zeros)) await once(out, "drain");
  }
  out.end(gzipSync(Buffer.alloc(1024)));
  await finished(out);
}
