// Attack: a bundle whose data.json has the wrong shape (the tenant's tools catalog is the string
// "oops"), hot-reloaded into a serving `aegis serve`. Before the fix it passed the load probe, went
// live and then failed every catalog-routed check. Now data.json is checked against
// schemas/data.schema.json on the loader's worker thread before the bundle can go live: it is
// refused with AEGIS_ERR_BUNDLE_DATA_INVALID, and the last good bundle keeps answering.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBundle } from "../../src/bundle/read.ts";
import { packTarGz } from "../../src/bundle/tar-gz.ts";
import { connectCheckClient } from "../support/grpc-check-client.ts";
import {
  buildExamples, cataloguedRead, readyzUntil, serveLive, sleep, steadyChecks, stopAllServers, stopServer, swapLive, workspace, type Workspace,
} from "./bundle-harness.ts";

let work: Workspace;
let good: string;
let oops: Uint8Array;

beforeAll(async () => {
  work = workspace("data");
  good = buildExamples(work, "good-1");
  // A real bundle of another revision, its data.json rewritten and the archive packed again
  // (unsigned: this server does not require signatures).
  const contents = await readBundle(readFileSync(buildExamples(work, "oops-2")));
  const data = JSON.parse(Buffer.from(contents.dataJson).toString("utf8")) as { tenants: { acme: { catalog: unknown } } };
  data.tenants.acme.catalog = "oops";
  const files = new Map(contents.files);
  files.set("data.json", new TextEncoder().encode(JSON.stringify(data)));
  oops = packTarGz(files);
});

afterAll(async () => {
  try {
    await stopAllServers();
  } finally {
    work.cleanup();
  }
});

describe("a bundle whose data.json has the wrong shape", () => {
  it("is refused before it goes live; the reason is in /readyz and the metrics, and catalog-routed checks stay on the last good bundle", { timeout: 120_000 }, async () => {
    const server = await serveLive(work, good);
    const load = steadyChecks(server.grpcPort, cataloguedRead(), 100);
    try {
      await sleep(1_000);
      swapLive(work, oops);
      const refused = await readyzUntil(server, (r) => r.bundle.last_error !== null || r.bundle.revision !== "good-1");
      await sleep(1_000);
      await load.stop();

      expect(refused.body.bundle.last_error?.code).toBe("AEGIS_ERR_BUNDLE_DATA_INVALID");
      expect(refused.body.bundle.last_error?.message).toMatch(/\/tenants\/acme\/catalog: must be array/);
      expect(refused.body.ready).toBe(true);
      expect(refused.body.bundle.revision).toBe("good-1");
      expect(load.samples.filter((s) => s.error !== undefined)).toEqual([]);
      expect(load.samples.every((s) => s.outcome === "allow" && s.policyVersion === "good-1")).toBe(true);
      const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
      expect(metrics).toMatch(/aegis_bundle_load_errors_total\{code="AEGIS_ERR_BUNDLE_DATA_INVALID"\} 1\b/);

      // The same refused file is not reported again at the next polls.
      await sleep(2_500);
      expect(await (await fetch(`${server.adminUrl}/metrics`)).text()).toMatch(/aegis_bundle_load_errors_total\{code="AEGIS_ERR_BUNDLE_DATA_INVALID"\} 1\b/);
      const client = connectCheckClient(server.grpcPort);
      try {
        const answer = await client.check(cataloguedRead());
        expect(answer.kind).toBe("ok");
        expect(answer.headers["x-aegis-policy-version"]).toBe("good-1");
      } finally {
        client.close();
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
