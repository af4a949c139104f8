// Attack: send Content-Type twice. Envoy forwards both headers to the upstream and hands Aegis
// one value joined with a comma ("application/x-www-form-urlencoded,text/plain"), a media type
// Aegis does not know, so the body gave no parameters at all and only the query was judged:
// `?amount=100&currency=usd` with the form body `amount=99999&currency=gbp` was allowed, while
// the upstream (Node, Go and most frameworks read the first Content-Type) parsed the form and
// paid 99999 in gbp. A Content-Type with more than one value is now 400 invalid_request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FINANCE, rawRequest, startInputPathsStack, type InputPathsStack } from "./input-paths-stack.ts";

let stack: InputPathsStack;

beforeAll(async () => {
  stack = await startInputPathsStack();
});

afterAll(async () => {
  await stack?.stop();
});

const PAYMENT = { method: "POST", host: "api.stripe.com", path: "/v1/payment_intents?amount=100&currency=usd" } as const;

describe("a Content-Type given twice, through the shipped Envoy config", () => {
  it("lets the honest form payment through", async () => {
    const res = await rawRequest(stack.envoy.port, { ...PAYMENT, path: "/v1/payment_intents", headers: { ...FINANCE, "content-type": "application/x-www-form-urlencoded" }, body: "amount=100&currency=usd" });
    expect(res.status, res.body).toBe(200);
  });

  it("does not let a form body the policy never read reach the upstream", async () => {
    const before = stack.upstream.received.length;
    // Two header lines: the record keys differ only in case, so rawRequest writes both.
    const res = await rawRequest(stack.envoy.port, {
      ...PAYMENT,
      headers: { ...FINANCE, "content-type": "application/x-www-form-urlencoded", "Content-Type": "text/plain" },
      body: "amount=99999&currency=gbp",
    });
    const reached = stack.upstream.received.slice(before);
    expect(reached.map((r) => `${String(r.headers["content-type"])} ${r.body}`), res.body).toEqual([]);
    expect(res.status, res.body).toBe(400);
  });
});

describe("over gRPC, the joined value Envoy sends", () => {
  it.each([
    "application/x-www-form-urlencoded,text/plain",
    "application/x-www-form-urlencoded, application/json",
    "text/plain; charset=utf-8, application/x-www-form-urlencoded",
    "application/json,application/json",
  ])("answers content-type %j with 400 invalid_request", async (contentType) => {
    const answer = await stack.check({ ...PAYMENT, headers: { ...FINANCE, "content-type": contentType }, body: "amount=99999&currency=gbp" });
    expect(answer.httpStatus).toBe("BadRequest");
    expect(answer.body).toMatchObject({ error: "invalid_request" });
  });

  it("still reads a quoted comma in a parameter as one media type", async () => {
    const answer = await stack.check({ ...PAYMENT, path: "/v1/payment_intents", headers: { ...FINANCE, "content-type": 'application/x-www-form-urlencoded; x="a,b"' }, body: "amount=100&currency=usd" });
    expect(answer.httpStatus).not.toBe("BadRequest");
    expect(answer.body).not.toMatchObject({ error: "invalid_request" });
  });
});
