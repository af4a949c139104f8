// Bundle history and rollback on a real `aegis serve`: r1 is live, r2 replaces it from the
// source, a rollback to r1 switches atomically while checks keep coming (none fails, each is
// decided by r1 or r2 whole), /readyz and /metrics say why r1 is live, the rollback survives a
// restart although the source still serves r2, and the first different bundle (r3) ends it.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { connectCheckClient, type CheckAnswer, type CheckClient } from "../support/grpc-check-client.ts";
import { ADMIN_TOKEN, eventually, metricValue, payment, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";
import { publish, revisionBundle } from "./bundle-helpers.ts";

async function readyz(server: RunningAegisProcess): Promise<{ bundle: { revision: string; origin?: string; rollback?: { by: string; from_revision: string } | null } }> {
  return (await fetch(`${server.adminUrl}/readyz`)).json() as never;
}

const admin = (server: RunningAegisProcess, path: string, body?: unknown) => fetch(`${server.adminUrl}${path}`, {
  method: body === undefined ? "GET" : "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe("bundle history and rollback", () => {
  const work = workDir("rollback");
  const served = join(work, "live.tar.gz");
  const state = `sqlite:${join(work, "state.db")}`;
  const config = writeConfig(work, "aegis", { bundle: { poll_interval_ms: 200, history: { keep: 3 } } });
  let r1 = "";
  let r2 = "";
  let server: RunningAegisProcess | undefined;
  let client: CheckClient | undefined;

  beforeAll(async () => {
    r1 = revisionBundle(work, "r1", 5000);
    r2 = revisionBundle(work, "r2", 1000);
    publish(r1, served);
    server = await serve({ bundle: served, state, config });
    client = connectCheckClient(server.grpcPort);
    publish(r2, served);
    await eventually(async () => (await readyz(server!)).bundle.revision, (r) => r === "r2", "r2 live");
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it("rolls back to r1 atomically under load: every check is answered, by r1 or r2 whole", async () => {
    const answers: CheckAnswer[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) answers.push(...(await Promise.all(Array.from({ length: 10 }, () => client!.check(payment(3000))))));
    })();
    await new Promise((r) => setTimeout(r, 300));
    const cli = aegis(["bundle", "rollback", "--revision", "r1", "--by", "alice", "--server", server!.adminUrl, "--admin-token", ADMIN_TOKEN]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain("live: r1 (rolled back by alice from r2)");
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await load;
    // r2 (threshold 1000) holds a 3000 payment for approval; r1 (5000) allows it. No third answer, no error.
    for (const a of answers) {
      if (a.kind === "ok") expect(a.headers["x-aegis-policy-version"]).toBe("r1");
      else expect(a.body).toMatchObject({ error: "approval_pending" });
    }
    expect(answers.some((a) => a.kind === "denied")).toBe(true);
    expect(answers.at(-1)?.kind).toBe("ok");

    const ready = await readyz(server!);
    expect(ready.bundle).toMatchObject({ revision: "r1", origin: "rollback", rollback: { by: "alice", from_revision: "r2", revision: "r1" } });
    expect(await metricValue(server!, "aegis_bundle_rollback", { revision: "r1" })).toBe(1);
    expect(await metricValue(server!, "aegis_bundle_info", { revision: "r1" })).toBe(1);
    const history = aegis(["bundle", "history", "--server", server!.adminUrl, "--admin-token", ADMIN_TOKEN]);
    expect(history.stdout).toMatch(/^live: r1 \(rolled back by alice from r2\)\n {2}r2 .*\n\* r1 /);
  });

  it("refuses a revision it does not keep, and a request without the admin token", async () => {
    const res = await admin(server!, "/v1/bundle/rollback", { revision: "r9", by: "alice" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "bundle_revision_not_kept" });
    expect((await fetch(`${server!.adminUrl}/v1/bundle/rollback`, { method: "POST", body: JSON.stringify({ revision: "r1", by: "x" }) })).status).toBe(401);
    expect((await admin(server!, "/v1/bundle/rollback", { revision: "r1" })).status).toBe(400);
    expect((await readyz(server!)).bundle.revision).toBe("r1");
  });

  it("keeps the rollback across a restart while the source still serves r2; a different bundle (r3) ends it", async () => {
    client?.close();
    await server!.stop();
    server = await serve({ bundle: served, state, config });
    client = connectCheckClient(server.grpcPort);
    expect((await readyz(server)).bundle).toMatchObject({ revision: "r1", origin: "rollback" });
    expect((await client.check(payment(3000))).headers["x-aegis-policy-version"]).toBe("r1");
    // Polls keep finding r2 at the source and keep turning it away.
    await new Promise((r) => setTimeout(r, 700));
    expect((await readyz(server)).bundle.revision).toBe("r1");

    publish(revisionBundle(work, "r3", 4000), served);
    await eventually(async () => (await readyz(server!)).bundle, (b) => b.revision === "r3", "r3 live");
    expect((await readyz(server)).bundle).toMatchObject({ origin: "source", rollback: null });
    expect(await metricValue(server, "aegis_bundle_rollback")).toBe(0);
  });

  it("refuses a kept bundle whose files changed on disk", async () => {
    const dir = join(work, "bundles");
    // r3 goes live before the history has written it out (data.json is streamed to disk after the swap).
    const index = await eventually(async () => JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { id: string; revision: string }[], (i) => i.length === 3, "r3 kept");
    expect(index.map((e) => e.revision)).toEqual(["r3", "r2", "r1"]);
    const r2entry = index.find((e) => e.revision === "r2")!;
    expect(readdirSync(join(dir, r2entry.id)).sort()).toEqual(["data.json", "policy.wasm"]);
    writeFileSync(join(dir, r2entry.id, "data.json"), "{}");
    const res = await admin(server!, "/v1/bundle/rollback", { revision: "r2", by: "mallory" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain("does not match its recorded digests");
    expect((await readyz(server!)).bundle.revision).toBe("r3");
  });
});
