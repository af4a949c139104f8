// Whether a `pattern` rule is an expression OPA's regex.match accepts. OPA uses Go's regexp (RE2
// syntax), so Google's RE2 (re2-wasm, the C++ library as WebAssembly) is the check: it refuses
// lookarounds, backreferences, possessive quantifiers, atomic groups and repetitions above 1000
// as Go does. Where the two differ, the stricter answer is kept: re2-wasm also accepts the JavaScript
// escapes \cX and \uXXXX and the any-byte \C, which Go refuses, so those are refused here first.
// test/policy/re2-syntax.test.ts holds both to `opa eval` of regex.is_valid.
import { RE2 } from "re2-wasm";

// An escape is a backslash preceded by an even number of backslashes.
const GO_REFUSED_ESCAPE = /(?<!\\)(?:\\\\)*\\([cuC])/;

/** Why OPA would refuse `pattern`, or null when it compiles. */
export function re2Problem(pattern: string): string | null {
  const escape = GO_REFUSED_ESCAPE.exec(pattern);
  if (escape !== null) return `\`\\${escape[1]}\` is not an RE2 escape`;
  try {
    // re2-wasm insists on the unicode flag; Go's regexp works on UTF-8 text likewise.
    new RE2(pattern, "u");
    return null;
  } catch (err) {
    return `not an RE2 regular expression: ${(err as Error).message.replace(/^.*\/u: /, "")}`;
  }
}

/** The whole value must match: flags set inside the pattern stay inside its group. */
export function anchoredPattern(pattern: string): string {
  return `^(?:${pattern})$`;
}
