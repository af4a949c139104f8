import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeBundle, fakeBundleFiles, makeKeys, tempDir } from "../../test/bundle/helpers.ts";
import { isAegisError, type ErrorCode } from "../errors/registry.ts";
import { signBundleFiles } from "./sign.ts";
import { loadBundleSource, type LoadBundleOptions, type LoadedBundle } from "./source.ts";
import { packTarGz } from "./tar-gz.ts";

const tmp = tempDir();
const keys = makeKeys(tmp.dir, "ES256");
const unsigned = fakeBundle();
let signedBytes: Uint8Array;
const BUNDLE_ETAG = '"rev-1"';
const requests: { url: string; ifNoneMatch: string | undefined }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  const files = fakeBundleFiles();
  files.set(".signatures.json", await signBundleFiles(files, { key: keys.signingKey, alg: "ES256" }));
  signedBytes = packTarGz(files);
  // A bundle service as OPA expects one: ETag on 200, 304 when If-None-Match matches.
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", ifNoneMatch: req.headers["if-none-match"] });
    if (req.url === "/slow") return void setTimeout(() => res.end(), 2_000);
    if (req.url === "/broken") return void res.writeHead(500).end("boom");
    if (req.headers["if-none-match"] === BUNDLE_ETAG) return void res.writeHead(304).end();
    res.writeHead(200, { etag: BUNDLE_ETAG, "content-type": "application/gzip" });
    res.end(req.url === "/signed.tar.gz" ? signedBytes : unsigned);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  tmp.cleanup();
});

async function failure(source: string, options: LoadBundleOptions): Promise<ErrorCode> {
  try {
    await loadBundleSource(source, options);
  } catch (err) {
    if (isAegisError(err)) return err.code;
    throw err;
  }
  throw new Error("loadBundleSource succeeded");
}

describe("loadBundleSource over HTTP", () => {
  it("returns the bundle and its ETag, then notModified when the ETag still matches", async () => {
    const first = (await loadBundleSource(`${base}/bundle.tar.gz`)) as LoadedBundle;
    expect(first.etag).toBe(BUNDLE_ETAG);
    expect(first.contents.manifest.revision).toBe("r1");
    expect(first.verified).toBeNull();
    const second = await loadBundleSource(`${base}/bundle.tar.gz`, { etag: first.etag });
    expect(second).toEqual({ notModified: true });
    expect(requests.at(-1)).toEqual({ url: "/bundle.tar.gz", ifNoneMatch: BUNDLE_ETAG });
  });

  it("verifies a signed bundle when given the key", async () => {
    const loaded = (await loadBundleSource(`${base}/signed.tar.gz`, { verificationKey: keys.verificationKey })) as LoadedBundle;
    expect(loaded.verified?.algorithm).toBe("ES256");
  });

  it("rejects an unsigned bundle when a verification key is configured", async () => {
    expect(await failure(`${base}/bundle.tar.gz`, { verificationKey: keys.verificationKey, requireSignature: true })).toBe("AEGIS_ERR_BUNDLE_UNSIGNED");
  });

  it("reports a server error as a fetch failure", async () => {
    expect(await failure(`${base}/broken`, {})).toBe("AEGIS_ERR_BUNDLE_FETCH");
  });

  it("gives up after fetchTimeoutMs", async () => {
    expect(await failure(`${base}/slow`, { fetchTimeoutMs: 100 })).toBe("AEGIS_ERR_BUNDLE_FETCH");
  });

  it("reports an unreachable server as a fetch failure", async () => {
    expect(await failure("http://127.0.0.1:1/bundle.tar.gz", {})).toBe("AEGIS_ERR_BUNDLE_FETCH");
  });
});

describe("loadBundleSource from a local file", () => {
  it("gives a content ETag, answers notModified for it and reloads when the file changes", async () => {
    const path = join(tmp.dir, "local.tar.gz");
    writeFileSync(path, unsigned);
    const first = (await loadBundleSource(path)) as LoadedBundle;
    expect(first.etag).toMatch(/^"sha256-[0-9a-f]{64}"$/);
    expect(await loadBundleSource(path, { etag: first.etag })).toEqual({ notModified: true });
    writeFileSync(path, fakeBundle({ ".manifest": JSON.stringify({ revision: "r2" }) }));
    const changed = (await loadBundleSource(path, { etag: first.etag })) as LoadedBundle;
    expect(changed.contents.manifest.revision).toBe("r2");
  });

  it("reports a missing file as a read failure", async () => {
    expect(await failure(join(tmp.dir, "absent.tar.gz"), {})).toBe("AEGIS_ERR_BUNDLE_READ");
  });

  it("refuses requireSignature without a verification key as a configuration error", async () => {
    const path = join(tmp.dir, "signed.tar.gz");
    writeFileSync(path, signedBytes);
    expect(await failure(path, { requireSignature: true })).toBe("AEGIS_ERR_CONFIG_INVALID");
  });
});
