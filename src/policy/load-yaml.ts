import { LineCounter, parseAllDocuments, visit, type Document, type YAMLError } from "yaml";
import { pointerAt } from "./locate.ts";
import type { Problem } from "./problem.ts";
import type { SourceDocument } from "./source-document.ts";

export interface LoadedFile {
  // Documents that parsed cleanly and are not empty; only these reach the later stages.
  readonly documents: SourceDocument[];
  // Plain values of documents with parse errors, as far as they could be read; the semantic
  // stage uses them only to avoid follow-on errors (a broken Tenant still declares its tenant).
  readonly brokenValues: unknown[];
  readonly problems: Problem[];
  /** YAML nodes in the file (counted up to just past the limit). */
  readonly nodes: number;
}

// The yaml package appends " at line L, column C:" and a code frame; the place is already in
// the problem, so keep the sentence only.
function cleanMessage(message: string): string {
  const firstLine = message.split("\n", 1)[0] ?? message;
  return firstLine.replace(/ at line \d+, column \d+:?$/, "").trim();
}

function toProblem(file: string, lineCounter: LineCounter, doc: Document.Parsed | undefined, err: YAMLError): Problem {
  const offset = err.pos[0];
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, col, pointer: doc === undefined ? "" : pointerAt(doc, offset), message: cleanMessage(err.message) };
}

// toJS throws on alias bombs (more than maxAliasCount expansions); that is the file's problem.
function plainValue(doc: Document.Parsed): { value: unknown } | { error: string } {
  try {
    return { value: doc.toJS({ maxAliasCount: 100 }) as unknown };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Nodes in the documents, counting stops once past `limit` (so it is cheap on a huge file). */
function nodeCount(docs: readonly Document.Parsed[], limit: number): number {
  let count = 0;
  for (const doc of docs) {
    visit(doc, {
      Node: () => (++count > limit ? visit.BREAK : undefined),
    });
    if (count > limit) break;
  }
  return count;
}

/**
 * `maxNodes` bounds the later stages: schema validation of a file with a huge number of wrong
 * nodes takes time quadratic in them, so such a file is one problem and goes no further.
 */
export function loadYaml(file: string, text: string, maxNodes = Number.POSITIVE_INFINITY): LoadedFile {
  const lineCounter = new LineCounter();
  // uniqueKeys makes a repeated key an error rather than a silent override.
  const parsed = parseAllDocuments(text, { lineCounter, keepSourceTokens: true, uniqueKeys: true, prettyErrors: true });
  const documents: SourceDocument[] = [];
  const brokenValues: unknown[] = [];
  const problems: Problem[] = [];
  const nodes = "empty" in parsed ? 0 : nodeCount(parsed, maxNodes);
  if (nodes > maxNodes) {
    problems.push({ file, line: 1, col: 1, pointer: "", message: `file has more than ${maxNodes} YAML nodes, the limit for a policy file; not validated` });
    return { documents, brokenValues, problems, nodes };
  }
  if ("empty" in parsed) {
    // Nothing but comments or directives.
    for (const err of [...parsed.errors, ...parsed.warnings]) problems.push(toProblem(file, lineCounter, undefined, err));
    return { documents, brokenValues, problems, nodes };
  }
  for (const doc of parsed) {
    const found = [...doc.errors, ...doc.warnings];
    for (const err of found) problems.push(toProblem(file, lineCounter, doc, err));
    const plain = plainValue(doc);
    // An empty document (between two `---`, or only comments) is no policy and no mistake.
    if ("value" in plain && plain.value == null) continue;
    if (found.length > 0) {
      if ("value" in plain) brokenValues.push(plain.value);
      continue;
    }
    if ("error" in plain) {
      const { line, col } = lineCounter.linePos(doc.range[0]);
      problems.push({ file, line, col, pointer: "", message: plain.error });
      continue;
    }
    documents.push({ file, doc, lineCounter, value: plain.value });
  }
  return { documents, brokenValues, problems, nodes };
}
