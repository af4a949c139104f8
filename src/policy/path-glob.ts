// Path globs of the `glob` parameter rule, compiled to anchored RE2 expressions at build time, so
// the Rego library only matches (regex.match is native in OPA's WASM runtime).
//
// The value is resolved first (policies/aegis/params.rego): empty and `.` segments dropped, `..`
// removing the segment before it and never rising above the root, and every remaining segment
// written as "/<segment>" (the root itself is ""). A value reads as a path from the root whether
// or not it starts with "/". The expressions below are written for that form.

const REGEX_META = /[\\^$.|?*+()[\]{}]/g;

function escapeSegment(segment: string): string {
  // `*` is the only wildcard inside a segment: any run of characters other than "/".
  return segment
    .split("*")
    .map((literal) => literal.replace(REGEX_META, "\\$&"))
    .join("[^/]*");
}

/** Segments after the leading "/"; a single trailing "/" is dropped ("/docs/" is "/docs"). */
function segmentsOf(glob: string): string[] {
  const body = glob.slice(1);
  const segments = body === "" ? [] : body.split("/");
  if (segments.length > 0 && segments[segments.length - 1] === "") segments.pop();
  return segments;
}

/** Why `glob` cannot be compiled, or null. Expects a glob starting with "/" (the schema's rule). */
export function globProblem(glob: string): string | null {
  for (const segment of segmentsOf(glob)) {
    if (segment === "") return "a glob must not have empty segments (`//`)";
    if (segment === "." || segment === "..") return `a glob must not have \`${segment}\` segments: values are resolved before matching, globs are not`;
    if (segment !== "**" && segment.includes("**")) return `\`**\` must be a whole segment (\`/a/**/b\`), not part of \`${segment}\``;
  }
  return null;
}

/** The anchored RE2 expression matching resolved values (see above); expects globProblem(glob) === null. */
export function globRegex(glob: string): string {
  const parts = segmentsOf(glob).map((segment) => (segment === "**" ? "(?:/[^/]+)*" : `/${escapeSegment(segment)}`));
  return `^${parts.join("")}$`;
}
