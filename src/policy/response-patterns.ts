// What `sanitize.response` can redact in a tool result: named patterns for the secrets tool
// results most often leak, and the checks a custom regex must pass at build time. Pure: the
// compiler validates with it and the ext_proc stream (src/extproc) matches with it.

export const RESPONSE_PATTERN_NAMES = ["api_key", "card_number", "bearer_token"] as const;
export type ResponsePatternName = (typeof RESPONSE_PATTERN_NAMES)[number];

/** A custom regex longer than this is refused: patterns are for short, recognisable tokens. */
export const MAX_RESPONSE_REGEX_LENGTH = 512;

interface NamedPattern {
  readonly regex: RegExp;
  /** A match that fails this is no secret (a digit run that is no card number). */
  readonly accept?: (match: string) => boolean;
}

// Prefixed key formats (OpenAI/Anthropic-style sk-, Stripe sk_/rk_, AWS AKIA, GitHub ghp_/gho_/
// github_pat_, Slack xox?-, Google AIza) and the generic `api_key: value` / `secret=value` form.
const API_KEY = new RegExp(
  [
    String.raw`\b(?:sk|rk|pk)[-_](?:live|test|proj|ant)?[-_]?[A-Za-z0-9_-]{16,}`,
    String.raw`\bAKIA[0-9A-Z]{16}\b`,
    String.raw`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b`,
    String.raw`\bgithub_pat_[A-Za-z0-9_]{30,}`,
    String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
    String.raw`\bAIza[0-9A-Za-z_-]{35}`,
    String.raw`(?<=\b(?:api[_-]?key|apikey|secret|access[_-]?key)["']?\s*[:=]\s*["']?)[A-Za-z0-9_\-./+]{16,}`,
  ].join("|"),
  "gi",
);

// 13–19 digits, optionally grouped by single spaces or dashes; kept only when the Luhn check passes.
const CARD_NUMBER = /(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g;

// An HTTP bearer credential and a bare JWT (three base64url parts, the first a JSON header).
const BEARER_TOKEN = /\bBearer\s+[A-Za-z0-9._~+/-]+=*|\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

export const NAMED_PATTERNS: Readonly<Record<ResponsePatternName, NamedPattern>> = {
  api_key: { regex: API_KEY },
  card_number: { regex: CARD_NUMBER, accept: luhnValid },
  bearer_token: { regex: BEARER_TOKEN },
};

export function luhnValid(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, "");
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Why a custom response regex is refused, or null when it is usable. */
export function responseRegexProblem(source: string): string | null {
  if (source.length > MAX_RESPONSE_REGEX_LENGTH) return `regex is longer than ${MAX_RESPONSE_REGEX_LENGTH} characters`;
  let regex: RegExp;
  try {
    regex = compileResponseRegex(source);
  } catch (err) {
    return `regex does not compile: ${err instanceof Error ? err.message : String(err)}`;
  }
  // A regex that matches nothing-at-all would "redact" every position of every string.
  if (regex.test("")) return "regex matches the empty string; it must match the secret itself";
  return null;
}

/** Custom regexes are JavaScript regexes with the u flag, matched globally (every occurrence). */
export function compileResponseRegex(source: string): RegExp {
  return new RegExp(source, "gu");
}

/** A JSON path into a tool result, as written: dot-separated names, `*` for any key or index. */
export function responsePathProblem(path: string): string | null {
  const segments = path.replace(/^\$\.?/, "").split(".");
  if (segments.length === 0 || segments.some((s) => s === "")) return "path must be dot-separated names (`*` for any key or index), like `structuredContent.api_key`";
  return null;
}

export function responsePathSegments(path: string): readonly string[] {
  return path.replace(/^\$\.?/, "").split(".");
}
