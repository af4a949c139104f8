// Shared by the bundle tests: throwaway dirs, keys generated per run (never committed), the real
// OPA CLI, and in-memory bundles.
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packTarGz } from "../../src/bundle/tar-gz.ts";

export function tempDir(prefix = "aegis-bundle-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface KeyFiles {
  readonly alg: "ES256" | "RS256" | "HS256";
  /** What `--signing-key` gets: a PEM file, or for HS256 the secret itself. */
  readonly signingKey: string;
  /** What `--verification-key` gets. */
  readonly verificationKey: string;
}

/** A fresh key pair (or secret) per algorithm, PEM files written under `dir`. */
export function makeKeys(dir: string, alg: KeyFiles["alg"]): KeyFiles {
  if (alg === "HS256") {
    const secret = randomBytes(24).toString("hex");
    return { alg, signingKey: secret, verificationKey: secret };
  }
  const pair =
    alg === "ES256" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("rsa", { modulusLength: 2048 });
  const id = `${alg}-${randomBytes(4).toString("hex")}`;
  const priv = join(dir, `${id}-private.pem`);
  const pub = join(dir, `${id}-public.pem`);
  writeFileSync(priv, pair.privateKey.export({ format: "pem", type: "pkcs8" }));
  writeFileSync(pub, pair.publicKey.export({ format: "pem", type: "spki" }));
  return { alg, signingKey: priv, verificationKey: pub };
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const encoder = new TextEncoder();

/** The smallest data.json that matches schemas/data.schema.json: no tenants. */
export const MINIMAL_DATA_JSON = JSON.stringify({ aegis_meta: { format: 1 }, tenants: {} });

/** A minimal bundle for tests that never run WASM: the loader only needs the files to exist. */
export function fakeBundleFiles(overrides: Record<string, string | Uint8Array | null> = {}): Map<string, Uint8Array> {
  const base: Record<string, string | Uint8Array> = {
    ".manifest": JSON.stringify({
      revision: "r1",
      roots: ["aegis", "tenants"],
      wasm: [{ entrypoint: "aegis/decision", module: "/policy.wasm" }],
      metadata: { aegis: { format: 1, entrypoints: { "aegis/decision": { input: ["tenant"], host_state: [] } } } },
    }),
    "data.json": JSON.stringify({ tenants: { acme: { n: 1.5, s: "x" } } }),
    "policy.wasm": new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    "aegis/decision.rego": "package aegis.decision\n\ndecision := {}\n",
  };
  const files = new Map<string, Uint8Array>();
  for (const [name, value] of Object.entries({ ...base, ...overrides })) {
    if (value !== null) files.set(name, typeof value === "string" ? encoder.encode(value) : value);
  }
  return files;
}

export function fakeBundle(overrides: Record<string, string | Uint8Array | null> = {}): Uint8Array {
  return packTarGz(fakeBundleFiles(overrides));
}

/**
 * Changes one byte of `bytes` without breaking its syntax: the first ASCII letter at or after
 * `from` switches case, so JSON stays JSON and the change is caught by the digest, not the parser.
 */
export function flipOneByte(bytes: Uint8Array, from = 0): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = from; i < out.length; i++) {
    const b = out[i] ?? 0;
    if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) {
      out[i] = b ^ 0x20;
      return out;
    }
  }
  throw new Error("no ASCII letter to flip");
}
