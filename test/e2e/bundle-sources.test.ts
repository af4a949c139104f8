// Where the served bundle comes from, on a real `aegis serve`: an OPA-style bundle server polled
// with ETags, and signed bundles checked with the configured key (unsigned or forged ones refused,
// the last good kept, the reason in /readyz and the metrics).
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";

let work: string;
let signed: string;
let signed2: string;
let unsigned: string;
let publicKey: string;

interface BundleServer { url: string; requests: { etag: string | undefined; status: number }[]; serve(file: string): void; close(): Promise<void> }

async function bundleServer(): Promise<BundleServer> {
  let body = Buffer.alloc(0);
  let etag = "";
  const requests: { etag: string | undefined; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    const match = req.headers["if-none-match"] === etag;
    requests.push({ etag: req.headers["if-none-match"], status: match ? 304 : 200 });
    if (match) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    res.writeHead(200, { etag, "content-type": "application/gzip" });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/bundles/aegis.tar.gz`,
    requests,
    serve(file) {
      body = readFileSync(file);
      etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function readyz(url: string) {
  return (await (await fetch(`${url}/readyz`)).json()) as { ready: boolean; bundle: { revision: string | null; last_error: { code: string } | null } };
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let value = await probe();
  for (let i = 0; i < 60 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "aegis-src-"));
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const privateKey = join(work, "signing.pem");
  publicKey = join(work, "verify.pem");
  writeFileSync(privateKey, pair.privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(publicKey, pair.publicKey.export({ type: "spki", format: "pem" }));
  signed = join(work, "signed.tar.gz");
  unsigned = join(work, "unsigned.tar.gz");
  signed2 = join(work, "signed2.tar.gz");
  expect(aegis(["build", "policies/examples", "-o", signed2, "--revision", "signed-2", "--signing-key", privateKey, "--signing-alg", "ES256", "--key-id", "ci"]).code).toBe(0);
  expect(aegis(["build", "policies/examples", "-o", signed, "--revision", "signed-1", "--signing-key", privateKey, "--signing-alg", "ES256", "--key-id", "ci"]).code).toBe(0);
  expect(aegis(["build", "policies/examples", "-o", unsigned, "--revision", "unsigned-1"]).code).toBe(0);
});

describe("bundle sources", () => {
  let server: BundleServer;
  afterAll(() => server?.close());

  it("polls a bundle server with If-None-Match, loads changes, and keeps a signed bundle over an unsigned one", async () => {
    server = await bundleServer();
    server.serve(signed);
    const aegisProcess = await startAegisProcess({
      args: ["--bundle", server.url, "--state", `sqlite:${join(work, "a.db")}`, "--verification-key", publicKey, "--key-id", "ci", "--require-signature"],
      env: { AEGIS_BUNDLE_POLL_INTERVAL_MS: "200" },
    });
    try {
      expect((await readyz(aegisProcess.adminUrl)).bundle.revision).toBe("signed-1");
      await until(async () => server.requests.length, (n) => n >= 3);
      expect(server.requests.slice(1).every((r) => r.status === 304 && r.etag !== undefined)).toBe(true);

      server.serve(unsigned);
      const refused = await until(() => readyz(aegisProcess.adminUrl), (r) => r.bundle.last_error !== null);
      expect(refused.ready).toBe(true);
      expect(refused.bundle.revision).toBe("signed-1");
      expect(refused.bundle.last_error?.code).toBe("AEGIS_ERR_BUNDLE_UNSIGNED");
      expect(await (await fetch(`${aegisProcess.adminUrl}/metrics`)).text()).toMatch(/aegis_bundle_load_errors_total\{code="AEGIS_ERR_BUNDLE_UNSIGNED"\} [1-9]/);
      expect(aegisProcess.logs()).toMatch(/bundle rejected; keeping the last good bundle/);

      server.serve(signed2);
      const swapped = await until(() => readyz(aegisProcess.adminUrl), (r) => r.bundle.revision === "signed-2");
      expect(swapped.bundle.revision).toBe("signed-2");
      expect(swapped.bundle.last_error).toBeNull();
    } finally {
      await aegisProcess.stop();
    }
  });

  it("refuses to start on an unsigned local bundle when signatures are required", async () => {
    const r = aegis(["serve", "--bundle", unsigned, "--verification-key", publicKey, "--require-signature", "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--state", `sqlite:${join(work, "b.db")}`]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/AEGIS_ERR_BUNDLE_UNSIGNED/);
  });

  it("refuses a bundle signed by another key", async () => {
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const otherKey = join(work, "other.pem");
    writeFileSync(otherKey, other.publicKey.export({ type: "spki", format: "pem" }));
    const r = aegis(["serve", "--bundle", signed, "--verification-key", otherKey, "--key-id", "ci", "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--state", `sqlite:${join(work, "c.db")}`]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/AEGIS_ERR_BUNDLE_SIGNATURE/);
  });
});
