// RFC 6901 JSON pointers: "" is the whole document, "/a/0/b" a path into it.

export type PointerSegment = string | number;

function escapeSegment(segment: PointerSegment): string {
  return String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
}

export function toPointer(segments: readonly PointerSegment[]): string {
  return segments.map((s) => `/${escapeSegment(s)}`).join("");
}

export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

export function childPointer(pointer: string, ...segments: PointerSegment[]): string {
  return pointer + toPointer(segments);
}
