import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requestPathProblem } from "./request-path.ts";

describe("requestPathProblem", () => {
  it.each(["/", "/docs/handbook", "/docs/a.b/c..d/.well-known", "/v1/calendars/team/events", "/a%20b/%41", "/docs/...", "/docs/%2e%2e%2e", "*", ""])(
    "accepts %j",
    (path) => {
      expect(requestPathProblem(path)).toBeNull();
    },
  );

  it.each([
    "/docs/../admin/delete",
    "/docs/./handbook",
    "/docs/..",
    "/..",
    "/docs/%2e%2e/admin",
    "/docs/%2E%2E/admin",
    "/docs/.%2e/admin",
    "/docs/%2e./admin",
    "/docs/%2e/admin",
    "/v1/calendars/../events",
    "/docs/..;/admin",
    "/docs/%2e%2e;jsessionid=x/admin",
    "/docs/..%3B/admin",
  ])("refuses the dot segment in %j", (path) => {
    expect(requestPathProblem(path)).toBe("request path contains a dot segment");
  });

  it.each(["/docs/..%2fadmin", "/docs/..%2Fadmin", "/docs%2f..%2fadmin", "/docs/..%5cadmin", "/docs/..%5Cadmin", "/docs/..\\admin", "/docs\\..\\admin"])(
    "refuses the hidden separator in %j",
    (path) => {
      expect(requestPathProblem(path)).toBe("request path contains an encoded slash or a backslash");
    },
  );

  // Built from the characters that spell dots, slashes, escapes and path parameters, so the
  // generator hits the interesting paths often; in any accepted path, no segment (up to a ";"
  // path parameter), decoded the way an upstream decodes it, is "." or "..", or hides "/" or "\".
  it("accepts no path that has a dot segment or a hidden separator after decoding", () => {
    const piece = fc.constantFrom(".", "..", "/", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "\\", "%", "2", "e", "E", "f", "5", "c", "a", "%25", "%252e", ";", "%3b");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((parts) => `/${parts.join("")}`), (path) => {
        if (requestPathProblem(path) !== null) return;
        for (const segment of path.split("/")) {
          const decoded = decodeLoosely(segment).split(";", 1)[0]!;
          expect(decoded).not.toBe(".");
          expect(decoded).not.toBe("..");
          expect(decoded).not.toMatch(/[/\\]/);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

// Percent-decoding that leaves a malformed escape as written, as lenient upstreams do.
function decodeLoosely(segment: string): string {
  return segment.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
