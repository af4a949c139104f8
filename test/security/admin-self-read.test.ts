// With identity.trust_headers on (the sidecar stamps x-aegis-tenant / x-aegis-agent on the data
// path), the admin port's agent self-read took the same headers as the caller: the admin port has
// no sidecar in front of it, so anyone who reached it and knew an approval id could read the
// override token of an approved call by naming its agent. The attack: approve a call, then read
// the record with forged identity headers and no admin token.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { approve, buildBundle, identity, payment, SELF_READ_BY_HEADERS, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";

async function approvedCall(server: RunningAegisProcess, client: CheckClient): Promise<string> {
  const pending = await client.check(payment(7000));
  expect(pending.body).toMatchObject({ error: "approval_pending" });
  const id = pending.body.approval_id as string;
  await approve(server, id);
  return id;
}

const readAs = (server: RunningAegisProcess, id: string, headers: Record<string, string>) =>
  fetch(`${server.adminUrl}/v1/approvals/${id}`, { headers });

describe("the agent self-read on the admin port", () => {
  const servers: RunningAegisProcess[] = [];
  const clients: CheckClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  async function start(name: string, env?: Record<string, string>) {
    const work = workDir(name);
    const server = await serve({ bundle: buildBundle(work), state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis"), ...(env === undefined ? {} : { env }) });
    servers.push(server);
    const client = connectCheckClient(server.grpcPort);
    clients.push(client);
    return { server, client };
  }

  let byDefault: { server: RunningAegisProcess; client: CheckClient };
  beforeAll(async () => {
    byDefault = await start("self-read-default");
  }, 120_000);

  it("refuses forged identity headers by default, though the data path trusts them: no token leaks", async () => {
    const id = await approvedCall(byDefault.server, byDefault.client);
    const res = await readAs(byDefault.server, id, identity("finance-agent"));
    expect(res.status).toBe(401);
    expect(await res.text()).not.toMatch(/aegis_ot_/);
  });

  it("takes the headers only when the operator opts in (approvals.self_read_trusts_identity_headers)", async () => {
    const optedIn = await start("self-read-opted-in", SELF_READ_BY_HEADERS);
    const id = await approvedCall(optedIn.server, optedIn.client);
    const res = await readAs(optedIn.server, id, identity("finance-agent"));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { override_token?: string }).override_token).toMatch(/^aegis_ot_/);
  }, 120_000);
});
