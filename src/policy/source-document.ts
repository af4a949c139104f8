import type { Document, LineCounter } from "yaml";

// One YAML document of a policy file, kept with what is needed to point back into its text.
export interface SourceDocument {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  // The document as plain JSON-like data.
  readonly value: unknown;
}
