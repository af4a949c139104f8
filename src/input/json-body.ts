// JSON bodies as parameters, read the way no upstream could read differently:
// - A member name repeated in one object (`{"amount":1,"amount":99999}`) is ambiguous: JSON.parse
//   keeps the last value, other parsers the first. The parse still succeeds (the caller's error
//   handling is for syntax), and the repeated name rides on the parsed root object under a
//   symbol, which param-ambiguity.ts reports as invalid_request. Symbols never reach JSON.
// - A number too large for a double (`1e400`, 400 digits) parses to ±Infinity, which nothing
//   downstream can serialise (RFC 8785 canonical JSON refuses it). It is kept as its source text
//   instead, a string: the policy reads it as a non-number (invalid_amount) and the decision log
//   records exactly what was sent.

const REPEATED_MEMBER = Symbol("aegis.repeatedJsonMember");

/** Parses JSON text; throws SyntaxError exactly when JSON.parse does. */
export function parseJsonBody(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const scan = scanJson(text);
  const parsed = scan.hugeNumber ? JSON.parse(text, keepHugeNumbersAsText) as unknown : value;
  if (scan.repeatedMember !== null && typeof parsed === "object" && parsed !== null) {
    Object.defineProperty(parsed, REPEATED_MEMBER, { value: scan.repeatedMember, enumerable: false });
  }
  return parsed;
}

/** The first member name repeated within one object anywhere in the parsed body, else null. */
export function repeatedJsonMember(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const name = (body as { [REPEATED_MEMBER]?: unknown })[REPEATED_MEMBER];
  return typeof name === "string" ? name : null;
}

function keepHugeNumbersAsText(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return context?.source ?? String(value);
  return value;
}

interface JsonScan {
  readonly repeatedMember: string | null;
  readonly hugeNumber: boolean;
}

interface ObjectFrame {
  readonly names: Set<string>;
  expectName: boolean;
}

/**
 * One pass over text that JSON.parse has already accepted (so it is well formed): collects the
 * member names of every object, iteratively (no recursion, whatever the depth), and notes
 * numbers that overflow a double.
 */
function scanJson(text: string): JsonScan {
  const frames: (ObjectFrame | null)[] = []; // null: an array
  let repeatedMember: string | null = null;
  let hugeNumber = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const frame = frames.at(-1);
      if (frame && frame.expectName) {
        const raw = text.slice(i + 1, end);
        const name = raw.includes("\\") ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (frame.names.has(name)) repeatedMember ??= name;
        frame.names.add(name);
        frame.expectName = false;
      }
      i = end + 1;
    } else if (c === 0x7b /* { */) {
      frames.push({ names: new Set(), expectName: true });
      i++;
    } else if (c === 0x5b /* [ */) {
      frames.push(null);
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const frame = frames.at(-1);
      if (frame) frame.expectName = true;
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      if (!hugeNumber && !Number.isFinite(Number(text.slice(i, end)))) hugeNumber = true;
      i = end;
    } else {
      i++;
    }
  }
  return { repeatedMember, hugeNumber };
}

/** Index of the closing quote of the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i;
    else i++;
  }
  return text.length;
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}
