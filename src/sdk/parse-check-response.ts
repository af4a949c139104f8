// CheckResponse → CheckResult. Pure. The dynamic metadata carries the decision (outcome, reason,
// rule_id, policy_version, decision_id); a denied body carries the approval; ok_response headers
// carry the sanitize mutations and the budget header. Anything unreadable is an error, never an allow.
import { maskParams } from "../authz/mask-params.ts";
import { OUTCOMES, type Outcome } from "../decision/types.ts";
import { AegisError } from "../errors/registry.ts";
import type { CheckResponse, HeaderValueOption, QueryParameter } from "../grpc/ext-authz-types.ts";
import { fromStruct, type JsonValue } from "../grpc/struct.ts";
import { HEADER } from "../input/header-names.ts";
import type { CheckCall, CheckResult, PendingApprovalInfo } from "./types.ts";

/** The dynamic-metadata key the SDK reads the sanitized parameter names from (a list of strings). */
export const REDACT_PARAMS_KEY = "redact_params";

export interface ParseOptions {
  /** Parameter names known to be redacted without the server saying (embedded mode). */
  readonly redactedParams?: readonly string[];
}

export function parseCheckResponse(response: CheckResponse, call: CheckCall, options: ParseOptions = {}): CheckResult {
  const metadata = response.dynamic_metadata === null ? {} : fromStruct(response.dynamic_metadata);
  const params = call.params ?? {};
  const headers = lowerCaseKeys(call.headers ?? {});
  const path = call.path ?? "/";

  if (response.http_response === "ok_response") {
    const ok = response.ok_response;
    const outcome = outcomeOf(metadata["outcome"] ?? "allow");
    if (outcome !== "allow" && outcome !== "sanitize") throw unreadable(`an ok_response with outcome ${outcome}`);
    const redacted = options.redactedParams ?? stringList(metadata[REDACT_PARAMS_KEY]) ?? (outcome === "sanitize" ? null : []);
    const budget = headerValue(ok.headers, HEADER.budgetRemaining);
    const removed = new Set(ok.headers_to_remove.map((name) => name.toLowerCase()));
    return {
      ...decisionFields(metadata, outcome, ok.headers),
      sanitizedParams: redacted === null ? { ...params } : maskParams(params, new Set(redacted)),
      redactedParams: redacted,
      sanitizedHeaders: Object.fromEntries(Object.entries(headers).filter(([name]) => !removed.has(name))),
      sanitizedPath: setQueryParameters(path, ok.query_parameters_to_set, ok.query_parameters_to_remove),
      ...(budget === undefined ? {} : { budgetRemaining: parseBudgetHeader(budget) }),
    };
  }

  const denied = response.denied_response;
  const body = parseBody(denied.body);
  const outcome = outcomeOf(metadata["outcome"] ?? (body["error"] === "approval_pending" ? "approval_needed" : "deny"));
  if (outcome !== "deny" && outcome !== "approval_needed") throw unreadable(`a denied_response with outcome ${outcome}`);
  const fields = decisionFields({ ...body, ...metadata }, outcome, denied.headers);
  const approval = outcome === "approval_needed" ? approvalOf(body) : null;
  const detail = fields.reason === "invalid_request" && typeof body["reason"] === "string" && body["reason"] !== fields.reason ? body["reason"] : null;
  return {
    ...fields,
    ...(approval === null ? {} : { approval }),
    ...(detail === null ? {} : { detail }),
    sanitizedParams: { ...params },
    redactedParams: [],
    sanitizedHeaders: headers,
    sanitizedPath: path,
  };
}

type DecisionFields = Pick<CheckResult, "outcome" | "allowed" | "reason" | "ruleId" | "decisionId" | "policyVersion" | "shadowedOutcome">;

function decisionFields(source: Readonly<Record<string, JsonValue>>, outcome: Outcome, headers: readonly HeaderValueOption[]): DecisionFields {
  const decisionId = stringField(source, "decision_id") ?? headerValue(headers, HEADER.decisionId);
  if (decisionId === undefined) throw unreadable("a response without a decision id");
  const shadowed = source["shadowed_outcome"];
  return {
    outcome,
    allowed: outcome === "allow" || outcome === "sanitize",
    reason: stringField(source, "reason") ?? "",
    ruleId: stringField(source, "rule_id") ?? "",
    decisionId,
    policyVersion: stringField(source, "policy_version") ?? headerValue(headers, HEADER.policyVersion) ?? "",
    shadowedOutcome: shadowed === "would_deny" || shadowed === "would_need_approval" ? shadowed : null,
  };
}

function approvalOf(body: Readonly<Record<string, JsonValue>>): PendingApprovalInfo | null {
  const approvalId = stringField(body, "approval_id");
  const expiresAt = stringField(body, "expires_at");
  if (approvalId === undefined || expiresAt === undefined) return null;
  const position = body["queue_position"];
  return { approvalId, expiresAt, ...(typeof position === "number" ? { queuePosition: position } : {}) };
}

/** "daily-spend=8000, x%20y=3" → { "daily-spend": 8000, "x y": 3 }. */
export function parseBudgetHeader(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(",")) {
    const equals = part.lastIndexOf("=");
    if (equals === -1) continue;
    const amount = Number(part.slice(equals + 1).trim());
    if (Number.isFinite(amount)) out[decodeURIComponent(part.slice(0, equals).trim())] = amount;
  }
  return out;
}

/**
 * Applies Envoy's query_parameters_to_set (every pair whose raw name is named gets the value) and
 * query_parameters_to_remove (every pair whose raw name is named is dropped).
 */
export function setQueryParameters(path: string, mutations: readonly QueryParameter[], removals: readonly string[] = []): string {
  if (mutations.length === 0 && removals.length === 0) return path;
  const values = new Map(mutations.map((m) => [m.key, m.value]));
  const removed = new Set(removals);
  const hash = path.indexOf("#");
  const fragment = hash === -1 ? "" : path.slice(hash);
  const target = hash === -1 ? path : path.slice(0, hash);
  const mark = target.indexOf("?");
  if (mark === -1) return path;
  const pairs: string[] = [];
  for (const pair of target.slice(mark + 1).split("&")) {
    const equals = pair.indexOf("=");
    const key = equals === -1 ? pair : pair.slice(0, equals);
    if (removed.has(key)) continue;
    const value = values.get(key);
    pairs.push(value === undefined ? pair : `${key}=${value}`);
  }
  return pairs.length === 0 ? `${target.slice(0, mark)}${fragment}` : `${target.slice(0, mark)}?${pairs.join("&")}${fragment}`;
}

function outcomeOf(value: JsonValue): Outcome {
  if (typeof value === "string" && (OUTCOMES as readonly string[]).includes(value)) return value as Outcome;
  throw unreadable(`an unknown outcome ${JSON.stringify(value)}`);
}

function parseBody(text: string): Record<string, JsonValue> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unreadable("a denied_response whose body is not JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw unreadable("a denied_response whose body is not a JSON object");
  return value as Record<string, JsonValue>;
}

function stringField(source: Readonly<Record<string, JsonValue>>, key: string): string | undefined {
  const value = Object.hasOwn(source, key) ? source[key] : undefined;
  return typeof value === "string" ? value : undefined;
}

function stringList(value: JsonValue | undefined): string[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter((item): item is string => typeof item === "string");
}

function headerValue(headers: readonly HeaderValueOption[], name: string): string | undefined {
  return headers.find((h) => h.header?.key.toLowerCase() === name)?.header?.value;
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function unreadable(what: string): AegisError {
  return new AegisError("AEGIS_ERR_SDK_CHECK", `Aegis answered ${what}`);
}
