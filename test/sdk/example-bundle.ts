// The example policies built into a bundle once per test file, as a user would build them.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aegis } from "../support/cli.ts";

export function buildExampleBundle(): { dir: string; bundle: string } {
  const dir = mkdtempSync(join(tmpdir(), "aegis-sdk-"));
  const bundle = join(dir, "examples.tar.gz");
  const built = aegis(["build", "policies/examples", "-o", bundle]);
  if (built.code !== 0) throw new Error(`aegis build failed:\n${built.stderr}`);
  return { dir, bundle };
}

/** Calls against the example policies (policies/examples), one per outcome. */
export const payment = (amount: number) => ({ tool: "stripe-payments", action: "create_payment", host: "api.stripe.com", path: "/v1/payment_intents", params: { amount } });

export const readDocument = {
  tool: "doc-store",
  action: "read_document",
  host: "wiki.docs.acme.internal",
  method: "GET",
  path: "/docs/handbook?token=s3cret&lang=en",
  headers: { "x-api-key": "key-1", accept: "application/json" },
  params: { id: "handbook", ssn: "078-05-1120", owner: { ssn: "219-09-9999" } },
};

export const FINANCE = { tenant: "acme", agent: "finance-agent" } as const;
export const DOCS = { tenant: "acme", agent: "docs-agent" } as const;
export const PLANNER = { tenant: "acme", agent: "planner" } as const;
