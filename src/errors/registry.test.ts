import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../test/support/opa.ts";
import { AegisError, ERRORS, grpcStatusOf, httpStatusOf, type ErrorCode } from "./registry.ts";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") && !path.endsWith("registry.ts") ? [path] : [];
  });
}

const codes = Object.keys(ERRORS) as ErrorCode[];
const code = sources(join(REPO_ROOT, "src")).map((f) => readFileSync(f, "utf8")).join("\n");
const docs = readFileSync(join(REPO_ROOT, "docs", "errors.md"), "utf8");
/** The docs table's rows: code → [meaning, gRPC status, HTTP status]. */
const documentedRows = new Map([...docs.matchAll(/^\| `(AEGIS_ERR_[A-Z_]+)` \| (.*?) \| ([A-Z_]+) \| (\d{3}) \|/gm)].map((m) => [m[1], [m[2], m[3], Number(m[4])]]));

describe("the error registry", () => {
  it("documents every code in docs/errors.md, and nothing else", () => {
    const documented = new Set(docs.match(/AEGIS_ERR_[A-Z_]+/g));
    expect([...documented].sort()).toEqual([...codes].sort());
  });

  it("documents each code's meaning, gRPC status and HTTP status as the registry has them", () => {
    expect(Object.fromEntries(documentedRows)).toEqual(Object.fromEntries(codes.map((c) => [c, [ERRORS[c].message, ERRORS[c].grpc, ERRORS[c].http]])));
  });

  it("names gRPC statuses grpc-js knows, and HTTP error statuses", () => {
    for (const c of codes) {
      expect(GrpcStatus[ERRORS[c].grpc], c).toBeTypeOf("number");
      expect(ERRORS[c].http, c).toBeGreaterThanOrEqual(400);
      expect(ERRORS[c].http, c).toBeLessThan(600);
    }
  });

  it("fails a Check closed: faults of the check path are INTERNAL, no bundle is UNAVAILABLE", () => {
    for (const c of ["AEGIS_ERR_EVAL", "AEGIS_ERR_DECISION_MALFORMED", "AEGIS_ERR_STATE", "AEGIS_ERR_DECISION_LOG", "AEGIS_ERR_CONFIG_INVALID"] as const) {
      expect(grpcStatusOf(new AegisError(c)), c).toBe("INTERNAL");
    }
    expect(grpcStatusOf(new AegisError("AEGIS_ERR_NO_BUNDLE"))).toBe("UNAVAILABLE");
    expect(grpcStatusOf(new Error("a bug"))).toBe("INTERNAL");
  });

  it("answers the admin API's client errors with their own status, anything else 500", () => {
    expect(httpStatusOf(new AegisError("AEGIS_ERR_APPROVAL_NOT_FOUND"))).toBe(404);
    expect(httpStatusOf(new AegisError("AEGIS_ERR_APPROVAL_STATE"))).toBe(409);
    expect(httpStatusOf(new AegisError("AEGIS_ERR_BUNDLE_HISTORY"))).toBe(404);
    expect(httpStatusOf(new TypeError("a bug"))).toBe(500);
  });

  it("has no code that nothing raises", () => {
    expect(codes.filter((c) => !code.includes(c))).toEqual([]);
  });

  it("is the only source of codes: every AEGIS_ERR_ in src is registered", () => {
    const used = new Set(code.match(/AEGIS_ERR_[A-Z_]+/g));
    expect([...used].filter((c) => !(codes as string[]).includes(c))).toEqual([]);
  });

  it("uses snake-case codes with the AEGIS_ERR_ prefix and a message each", () => {
    for (const [c, { message }] of Object.entries(ERRORS)) {
      expect(c).toMatch(/^AEGIS_ERR_[A-Z]+(_[A-Z]+)*$/);
      expect(message.length).toBeGreaterThan(10);
    }
  });
});
