// sanitize.response in the format: named patterns find what they name (and not look-alikes),
// custom regexes and paths are refused at build time when unusable, and a response rule alone
// compiles to host data without making the call's outcome sanitize.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePolicies } from "./index.ts";
import { luhnValid, NAMED_PATTERNS, responsePathProblem, responseRegexProblem } from "./response-patterns.ts";

function matches(name: keyof typeof NAMED_PATTERNS, text: string): string[] {
  const { regex, accept } = NAMED_PATTERNS[name];
  return [...text.matchAll(new RegExp(regex.source, regex.flags))].map((m) => m[0]).filter((m) => accept === undefined || accept(m));
}

describe("named response patterns", () => {
  it("api_key finds prefixed keys and `api_key: value`, not ordinary words", () => {
    expect(matches("api_key", "use sk-live-FAKEFAKE0123456789abcdefXYZ now")).toEqual(["sk-live-FAKEFAKE0123456789abcdefXYZ"]);
    expect(matches("api_key", "AKIAABCDEFGHIJKLMNOP")).toEqual(["AKIAABCDEFGHIJKLMNOP"]);
    expect(matches("api_key", 'config: {"api_key": "abcdefghijklmnop1234"}')).toEqual(["abcdefghijklmnop1234"]);
    expect(matches("api_key", "the skeleton key is under the mat")).toEqual([]);
  });

  it("card_number finds Luhn-valid 13-19 digit runs, grouped or not, and leaves other numbers", () => {
    expect(matches("card_number", "card 4111 1111 1111 1111 ok")).toEqual(["4111 1111 1111 1111"]);
    expect(matches("card_number", "card 4111-1111-1111-1111")).toEqual(["4111-1111-1111-1111"]);
    expect(matches("card_number", "order 4111111111111112")).toEqual([]);
    expect(matches("card_number", "phone 555 1234")).toEqual([]);
    expect(luhnValid("79927398713")).toBe(true);
  });

  it("bearer_token finds Bearer credentials and JWTs", () => {
    expect(matches("bearer_token", "Authorization: Bearer abc.def-ghi")).toEqual(["Bearer abc.def-ghi"]);
    expect(matches("bearer_token", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig_part")).toEqual(["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig_part"]);
  });
});

describe("build-time checks of custom regexes and paths", () => {
  it("refuses a regex that does not compile, one that matches the empty string, and an overlong one", () => {
    expect(responseRegexProblem("ACME-[0-9]{6}")).toBeNull();
    expect(responseRegexProblem("ACME-[0-9")).toMatch(/does not compile/);
    expect(responseRegexProblem("x*")).toMatch(/empty string/);
    expect(responseRegexProblem("a".repeat(600))).toMatch(/longer than/);
  });

  it("refuses paths with empty segments", () => {
    expect(responsePathProblem("structuredContent.api_key")).toBeNull();
    expect(responsePathProblem("$.content.*.text")).toBeNull();
    expect(responsePathProblem("content..text")).not.toBeNull();
  });

  it("aegis build refuses a broken regex at its place, and compiles a response rule to host data only", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aegis-response-rules-"));
    try {
      await writeFile(join(dir, "tenant.yaml"), "apiVersion: aegis/v1\nkind: Tenant\ntenant: default\negress_allowlist: [docs.example]\n");
      const policy = (regex: string) => `apiVersion: aegis/v1
kind: AgentPolicy
agent: reader
allowed_tools:
  - name: docs
    actions:
      - name: read
        sanitize:
          response:
            patterns: [api_key]
            regexes: ["${regex}"]
`;
      await writeFile(join(dir, "reader.yaml"), policy("ACME-[0-9"));
      const bad = await compilePolicies(dir);
      expect(bad.ok).toBe(false);
      expect(!bad.ok && bad.problems.map((p) => p.pointer)).toContain("/allowed_tools/0/actions/0/sanitize/response/regexes/0");

      await writeFile(join(dir, "reader.yaml"), policy("ACME-[0-9]{6}"));
      const good = await compilePolicies(dir);
      if (!good.ok) throw new Error(JSON.stringify(good.problems));
      const action = good.data.tenants["default"]!.agents["reader"]!.tools["docs"]!.actions["read"]!;
      expect(action.sanitize).toBeNull();
      expect(action.response).toEqual({ paths: [], patterns: ["api_key"], regexes: ["ACME-[0-9]{6}"], rule_id: "default/reader/allowed_tools/docs/actions/read/sanitize/response" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
