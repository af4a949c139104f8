// sanitize.response applied to one JSON-RPC response: inside its `result`, values at the rule's
// paths become "[REDACTED]" whole, and every occurrence of a named pattern or custom regex in a
// string is replaced. Pure; what was redacted is reported by kind, name and path, never by value.
import { REDACTED_VALUE } from "../authz/mask-params.ts";
import type { ResponseRule } from "../policy/policy-data.ts";
import { compileResponseRegex, NAMED_PATTERNS, type ResponsePatternName, responsePathSegments } from "../policy/response-patterns.ts";

export interface Redaction {
  readonly rule_id: string;
  readonly kind: "path" | "pattern" | "regex";
  /** The path as written, the pattern name, or the regex's index in the rule. */
  readonly name: string;
  /** Where in the result, as dot-separated keys and indexes. */
  readonly at: string;
}

interface Matcher {
  readonly kind: "pattern" | "regex";
  readonly name: string;
  readonly regex: RegExp;
  readonly accept?: (match: string) => boolean;
}

export interface CompiledResponseRule {
  readonly rule_id: string;
  readonly paths: readonly { readonly written: string; readonly segments: readonly string[] }[];
  readonly matchers: readonly Matcher[];
}

const compiled = new WeakMap<ResponseRule, CompiledResponseRule>();

/** Compiled once per rule object (one per bundle): regexes were checked at build time. */
export function compileResponseRule(rule: ResponseRule): CompiledResponseRule {
  const cached = compiled.get(rule);
  if (cached !== undefined) return cached;
  const matchers: Matcher[] = [
    ...rule.patterns.filter((p): p is ResponsePatternName => Object.hasOwn(NAMED_PATTERNS, p)).map((p) => ({ kind: "pattern" as const, name: p, ...NAMED_PATTERNS[p] })),
    ...rule.regexes.map((source, i) => ({ kind: "regex" as const, name: `regexes/${i}`, regex: compileResponseRegex(source) })),
  ];
  const result = { rule_id: rule.rule_id, paths: rule.paths.map((written) => ({ written, segments: responsePathSegments(written) })), matchers };
  compiled.set(rule, result);
  return result;
}

export interface RedactedMessage {
  readonly message: unknown;
  readonly redactions: readonly Redaction[];
}

/** Redacts a JSON-RPC response's result; anything else (requests, notifications, errors) passes. */
export function redactToolResultMessage(message: unknown, rule: CompiledResponseRule): RedactedMessage {
  if (!isRecord(message) || Object.hasOwn(message, "method") || !Object.hasOwn(message, "result")) return { message, redactions: [] };
  const redactions: Redaction[] = [];
  let result = message["result"];
  for (const path of rule.paths) result = redactPath(result, path.segments, [], (at) => redactions.push({ rule_id: rule.rule_id, kind: "path", name: path.written, at }));
  if (rule.matchers.length > 0) result = redactStrings(result, rule, [], redactions);
  if (redactions.length === 0) return { message, redactions };
  return { message: { ...message, result }, redactions };
}

function redactPath(value: unknown, segments: readonly string[], at: string[], found: (at: string) => void): unknown {
  if (segments.length === 0) {
    if (value === REDACTED_VALUE) return value;
    found(at.join("."));
    return REDACTED_VALUE;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item, i) => {
      if (head !== "*" && head !== String(i)) return item;
      const next = redactPath(item, rest, [...at, String(i)], found);
      changed ||= next !== item;
      return next;
    });
    return changed ? out : value;
  }
  if (!isRecord(value)) return value;
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    if (head !== "*" && head !== key) continue;
    const next = redactPath(value[key], rest, [...at, key], found);
    if (next !== value[key]) {
      out ??= copy(value);
      define(out, key, next);
    }
  }
  return out ?? value;
}

function redactStrings(value: unknown, rule: CompiledResponseRule, at: string[], redactions: Redaction[]): unknown {
  if (typeof value === "string") return redactText(value, rule, at.join("."), redactions);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item, i) => {
      const next = redactStrings(item, rule, [...at, String(i)], redactions);
      changed ||= next !== item;
      return next;
    });
    return changed ? out : value;
  }
  if (!isRecord(value)) return value;
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const next = redactStrings(value[key], rule, [...at, key], redactions);
    if (next !== value[key]) {
      out ??= copy(value);
      define(out, key, next);
    }
  }
  return out ?? value;
}

function redactText(text: string, rule: CompiledResponseRule, at: string, redactions: Redaction[]): string {
  let out = text;
  for (const matcher of rule.matchers) {
    matcher.regex.lastIndex = 0;
    out = out.replace(matcher.regex, (match: string) => {
      if (match === REDACTED_VALUE || (matcher.accept !== undefined && !matcher.accept(match))) return match;
      redactions.push({ rule_id: rule.rule_id, kind: matcher.kind, name: matcher.name, at });
      return REDACTED_VALUE;
    });
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Keys are defined, not assigned, so "__proto__" in a tool result stays data.
function copy(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) define(out, key, value[key]);
  return out;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
