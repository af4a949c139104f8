import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { startAdminHttp, type AdminHttpHandle } from "./admin-http.ts";
import type { BundleStatus } from "./bundle-reloader.ts";

const LOADED: BundleStatus = { revision: "r1", loaded_at: "2026-12-01T00:00:00.000Z", source: "bundle.tar.gz", last_error: null };
let handle: AdminHttpHandle | null = null;
afterEach(async () => { await handle?.close(); handle = null; });

async function readyz(stateHealth?: () => Promise<void>): Promise<{ status: number; body: Record<string, unknown> }> {
  handle = await startAdminHttp({
    addr: "127.0.0.1:0", bundleStatus: () => LOADED, isDraining: () => false, registry: new Registry(), routes: [],
    ...(stateHealth === undefined ? {} : { stateHealth }),
  });
  const res = await fetch(`http://127.0.0.1:${handle.port}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("/readyz reports the state store", () => {
  it("says ok when the store answers its probe", async () => {
    const { status, body } = await readyz(async () => {});
    expect(status).toBe(200);
    expect(body.state).toEqual({ ok: true });
  });

  it("says why when the probe fails, and stays ready: checks fail closed, the bundle still serves", async () => {
    const { status, body } = await readyz(async () => { throw new Error("ECONNREFUSED"); });
    expect(status).toBe(200);
    expect(body).toMatchObject({ ready: true, state: { ok: false, error: "ECONNREFUSED" } });
  });

  it("answers a hanging store well within the kubelet's default 1 s probe timeout, so it stays ready", async () => {
    const started = Date.now();
    const { status, body } = await readyz(() => new Promise(() => {}));
    expect(status).toBe(200);
    expect(body.state).toMatchObject({ ok: false });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("probes a hanging store once however often /readyz is asked: probes do not pile up on the store", async () => {
    let probes = 0;
    await readyz(() => { probes++; return new Promise<void>(() => {}); });
    const again = () => fetch(`http://127.0.0.1:${handle!.port}/readyz`).then((res) => res.json());
    await Promise.all([again(), again()]);
    await again();
    expect(probes).toBe(1);
  });
});
