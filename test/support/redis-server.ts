import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { detectDockerEngine } from "./docker.ts";
import { READY_TIMEOUT_MS } from "./ports.ts";

export interface RedisServer {
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Holds the append-only file; survives restart, removed by stop. */
  readonly dir: string;
  /** Kills the server (SIGKILL by default: durability must not rely on a clean shutdown) and starts it again on the same port and dir. */
  restart(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

const REPO_TOOLS_BIN = fileURLToPath(new URL("../../.tools/bin", import.meta.url));


/**
 * A real redis-server on a free loopback port, with `appendonly yes` and `appendfsync always`, so
 * every acknowledged write is on disk. When a Docker engine answers, testcontainers would be the
 * natural path, but the project does not ship it: the local binary is used either way, and the
 * log line says which and why. A missing binary fails the test, never skips it.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = findRedisServer();
  const docker = await detectDockerEngine();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "aegis-redis-"));
  const why = docker.reachable
    ? `Docker engine reachable at ${docker.endpoint}, but testcontainers is not installed`
    : `no Docker engine reachable (${docker.endpoint}: ${docker.reason})`;
  console.info(`[redis-server] ${why}; using local redis-server at ${binary} on 127.0.0.1:${port} (dir ${dir})`);

  let child = await launch(binary, port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async restart(signal: NodeJS.Signals = "SIGKILL") {
      await kill(child, signal);
      child = await launch(binary, port, dir);
    },
    async stop() {
      await kill(child, "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The first executable redis-server on PATH, else in the repo's .tools/bin (where scripts/setup.sh puts it). */
export function findRedisServer(
  searched: readonly string[] = [...(process.env["PATH"] ?? "").split(delimiter).filter(Boolean), REPO_TOOLS_BIN],
): string {
  for (const folder of searched) {
    const candidate = join(folder, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error(
    "redis-server not found on PATH or in .tools/bin: run `bash scripts/setup.sh redis` (and `source scripts/env.sh`) before these tests",
  );
}

async function launch(binary: string, port: number, dir: string): Promise<ChildProcess> {
  const logfile = join(dir, "redis.log");
  const child = spawn(
    binary,
    [
      "--port", String(port),
      "--bind", "127.0.0.1",
      "--dir", dir,
      "--appendonly", "yes",
      "--appendfsync", "always",
      "--save", "",
      "--logfile", logfile,
      "--daemonize", "no",
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) =>
      reject(new Error(`redis-server exited during startup (code ${code}, signal ${signal}):\n${tail(logfile)}`)),
    );
    child.once("error", reject);
  });
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForPong(port), exited]);
  } catch (err) {
    await kill(child, "SIGKILL");
    throw err;
  }
  return child;
}

async function waitForPong(port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "no answer";
  while (Date.now() < deadline) {
    last = await ping(port);
    // While it replays the append-only file, Redis answers -LOADING.
    if (last.startsWith("+PONG")) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} not ready after ${READY_TIMEOUT_MS} ms: ${last}`);
}

function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) socket.end();
    });
    socket.on("error", (error) => resolve(error.message));
    socket.on("close", () => resolve(reply));
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "(no log)";
  }
}
