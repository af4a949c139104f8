// The schemas editors use must agree with the validator: the kind-dispatching policy.schema.json
// accepts every example and rejects what the per-kind schemas reject.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { findPolicyFiles } from "./find-policy-files.ts";
import { policyValidators } from "./schemas.ts";

const examplesDir = fileURLToPath(new URL("../../policies/examples", import.meta.url));

describe("policy schemas", () => {
  it("accept every example document through the editor schema", async () => {
    const { anyPolicy } = policyValidators();
    const files = await findPolicyFiles(examplesDir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(file, "utf8")) as unknown as { toJS(): unknown }[]) {
        expect(anyPolicy(doc.toJS()), `${file}: ${JSON.stringify(anyPolicy.errors)}`).toBe(true);
      }
    }
  });

  it("reject an unknown field and an unknown kind through the editor schema", () => {
    const { anyPolicy } = policyValidators();
    expect(anyPolicy({ apiVersion: "aegis/v1", kind: "Tenant", tenant: "a", egress_allowlist: [], colour: "red" })).toBe(false);
    expect(anyPolicy({ apiVersion: "aegis/v1", kind: "Tenants", tenant: "a", egress_allowlist: [] })).toBe(false);
  });

  it("describe every property, so editors can show help", () => {
    const undocumented: string[] = [];
    for (const name of ["common", "agent-policy", "tenant"]) {
      const schema: unknown = JSON.parse(readFileSync(fileURLToPath(new URL(`../../schemas/${name}.schema.json`, import.meta.url)), "utf8"));
      const visit = (node: unknown, path: string): void => {
        if (typeof node !== "object" || node === null) return;
        const { properties } = node as { properties?: Record<string, unknown> };
        for (const [key, child] of Object.entries(properties ?? {})) {
          const described = typeof (child as { description?: unknown }).description === "string";
          const referenced = typeof (child as { $ref?: unknown }).$ref === "string";
          if (!described && !referenced) undocumented.push(`${name}${path}/properties/${key}`);
        }
        for (const [key, child] of Object.entries(node)) visit(child, `${path}/${key}`);
      };
      visit(schema, "");
    }
    expect(undocumented).toEqual([]);
  });
});
