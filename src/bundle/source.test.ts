import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeBundle, fakeBundleFiles, makeKeys, MINIMAL_DATA_JSON, tempDir } from "../../test/bundle/helpers.ts";
import { isAegisError, type AegisError, type ErrorCode } from "../errors/registry.ts";
import { signBundleFiles } from "./sign.ts";
import { loadBundleSource, type LoadBundleOptions, type LoadedBundle } from "./source.ts";
import { packTarGz } from "./tar-gz.ts";

const tmp = tempDir();
const keys = makeKeys(tmp.dir, "ES256");
// loadBundleSource checks data.json against its schema; the fake bundle's sample data would not pass.
const unsigned = fakeBundle({ "data.json": MINIMAL_DATA_JSON });
let signedBytes: Uint8Array;
const BUNDLE_ETAG = '"rev-1"';
const requests: { url: string; ifNoneMatch: string | undefined }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  const files = fakeBundleFiles({ "data.json": MINIMAL_DATA_JSON });
  files.set(".signatures.json", await signBundleFiles(files, { key: keys.signingKey, alg: "ES256" }));
  signedBytes = packTarGz(files);
  // A bundle service as OPA expects one: ETag on 200, 304 when If-None-Match matches.
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", ifNoneMatch: req.headers["if-none-match"] });
    if (req.url === "/slow") return void setTimeout(() => res.end(), 2_000);
    if (req.url === "/broken") return void res.writeHead(500).end("boom");
    if (req.url === "/declared-large") return void res.writeHead(200, { "content-length": String(unsigned.byteLength) }).end(unsigned);
    if (req.url === "/chunked-large") {
      // No content-length: the cap has to hold while the body streams.
      res.writeHead(200, { etag: '"chunked"' });
      res.write(unsigned.subarray(0, 60));
      return void setTimeout(() => res.end(unsigned.subarray(60)), 20);
    }
    if (req.url === "/bad-data") return void res.writeHead(200, { etag: '"bad-data"' }).end(fakeBundle({ "data.json": JSON.stringify({ aegis_meta: { format: 1 }, tenants: { acme: { catalog: "oops" } } }) }));
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

async function refusal(source: string, options: LoadBundleOptions): Promise<AegisError> {
  try {
    await loadBundleSource(source, options);
  } catch (err) {
    if (isAegisError(err)) return err;
    throw err;
  }
  throw new Error("loadBundleSource succeeded");
}

const failure = async (source: string, options: LoadBundleOptions): Promise<ErrorCode> => (await refusal(source, options)).code;

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

  it("refuses a response whose content-length is over the compressed cap, without reading it", async () => {
    const err = await refusal(`${base}/declared-large`, { limits: { maxCompressedBytes: 100 } });
    expect(err.code).toBe("AEGIS_ERR_BUNDLE_TOO_LARGE");
    expect(err.message).toMatch(/larger than 100 bytes/);
  });

  it("refuses a streamed response once it passes the compressed cap", async () => {
    const err = await refusal(`${base}/chunked-large`, { limits: { maxCompressedBytes: 100 } });
    expect(err.code).toBe("AEGIS_ERR_BUNDLE_TOO_LARGE");
    expect(err.details?.etag).toBe('"chunked"');
  });

  it("refuses a data.json of the wrong shape, naming where, and hands back the ETag of what it refused", async () => {
    const err = await refusal(`${base}/bad-data`, {});
    expect(err.code).toBe("AEGIS_ERR_BUNDLE_DATA_INVALID");
    expect(err.message).toMatch(/\/tenants\/acme/);
    expect(err.details?.etag).toBe('"bad-data"');
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
    writeFileSync(path, fakeBundle({ ".manifest": JSON.stringify({ revision: "r2" }), "data.json": MINIMAL_DATA_JSON }));
    const changed = (await loadBundleSource(path, { etag: first.etag })) as LoadedBundle;
    expect(changed.contents.manifest.revision).toBe("r2");
  });

  it("refuses a file over the compressed cap without reading it, once", async () => {
    const path = join(tmp.dir, "big.tar.gz");
    writeFileSync(path, new Uint8Array(4096));
    const err = await refusal(path, { limits: { maxCompressedBytes: 100 } });
    expect(err.code).toBe("AEGIS_ERR_BUNDLE_TOO_LARGE");
    expect(err.details?.etag).toBe('"size-4096"');
    expect(await loadBundleSource(path, { etag: '"size-4096"', limits: { maxCompressedBytes: 100 } })).toEqual({ notModified: true });
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
