// Paths Aegis refuses to judge (SPEC §4): a path with dot segments or encoded separators names one
// resource to the policy (the tools catalog matches it segment by segment) and another to the
// upstream, which resolves "/docs/../admin" to "/admin" or decodes "..%2fadmin" to "../admin".
// Envoy's normalize_path and path_with_escaped_slashes_action stop these first; this check holds
// whatever Envoy sent, e.g. from a differently configured proxy.

// "." or "..", each dot written as itself or percent-encoded, in any case.
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
// An encoded "/" or "\" is a separator to many upstreams but not to the catalog; a literal "\" is
// one to some (IIS, Windows file servers).
const HIDDEN_SEPARATOR = /%2f|%5c|\\/i;
const PATH_PARAMETER = /;|%3b/i;
// A dot segment needs a "." or a "%"; a hidden separator a "%" or a backslash.
const MAYBE_PROBLEM = /[.%\\]/;

/** Why the path (without query string) is refused, or null when it is fine. */
export function requestPathProblem(path: string): string | null {
  // Nearly every path holds none of the characters the checks below look for.
  if (!MAYBE_PROBLEM.test(path)) return null;
  if (HIDDEN_SEPARATOR.test(path)) return "request path contains an encoded slash or a backslash";
  // Servlet containers read "..;x" as ".." with a path parameter (some after decoding "%3b"), so
  // the part before the first ";" counts.
  if (path.split("/").some((segment) => DOT_SEGMENT.test(segment.split(PATH_PARAMETER, 1)[0]!))) return "request path contains a dot segment";
  return null;
}
