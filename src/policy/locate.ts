import { isMap, isScalar, isSeq, type Document, type Pair } from "yaml";
import { parsePointer, toPointer, type PointerSegment } from "./json-pointer.ts";
import type { SourceDocument } from "./source-document.ts";

export interface Position {
  line: number;
  col: number;
}

// [start, valueEnd, nodeEnd] as the yaml package records it.
type Range = readonly [number, number, number];

function rangeOf(value: unknown): Range | undefined {
  const range = (value as { range?: unknown } | null)?.range;
  return Array.isArray(range) ? (range as unknown as Range) : undefined;
}

function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

// An absent value (`conditions:` with nothing after it) has an empty range at the end of the
// line; its key is the place a reader looks for.
function isEmptyValue(value: unknown): boolean {
  const range = rangeOf(value);
  return range === undefined || (isScalar(value) && value.value === null && range[0] === range[1]);
}

/**
 * Where `pointer` lands in the document: the value's first character, or with `at: "key"` the
 * key naming it. A pointer into something absent lands on its nearest present ancestor, so
 * every problem gets a real place.
 */
export function locate(source: SourceDocument, pointer: string, at: "value" | "key" = "value"): Position {
  const segments = parsePointer(pointer);
  let node: unknown = source.doc.contents;
  let offset = rangeOf(node)?.[0] ?? source.doc.range[0];
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p) === segment);
      if (pair === undefined) break;
      const keyStart = rangeOf(pair.key)?.[0] ?? offset;
      if ((last && at === "key") || isEmptyValue(pair.value)) {
        offset = keyStart;
        break;
      }
      node = pair.value;
      offset = rangeOf(node)?.[0] ?? keyStart;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      const start = rangeOf(item)?.[0];
      if (start === undefined) break;
      node = item;
      offset = start;
    } else {
      break;
    }
  }
  return source.lineCounter.linePos(offset);
}

function contains(value: unknown, offset: number): boolean {
  const range = rangeOf(value);
  return range !== undefined && range[0] <= offset && offset < Math.max(range[2], range[0] + 1);
}

/** The pointer of the deepest key or item whose text holds `offset` (for parse errors). */
export function pointerAt(doc: Document.Parsed, offset: number): string {
  const path: PointerSegment[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => contains(p.key, offset) || contains(p.value, offset));
      if (pair === undefined) break;
      path.push(keyText(pair));
      if (!contains(pair.value, offset)) break;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item, offset));
      if (index < 0) break;
      path.push(index);
      node = node.items[index];
    } else {
      break;
    }
  }
  return toPointer(path);
}
