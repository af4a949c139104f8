// Stage 2: each document against the schema of its kind. A document whose kind or apiVersion
// is unknown is reported once and not checked further: its fields would mean nothing.
import { suggestionSuffix } from "./did-you-mean.ts";
import { locate } from "./locate.ts";
import type { ValidatedDocument } from "./model.ts";
import type { Problem } from "./problem.ts";
import { describeSchemaError } from "./schema-messages.ts";
import { API_VERSION, POLICY_KINDS, policyValidators, type PolicyKind } from "./schemas.ts";
import type { SourceDocument } from "./source-document.ts";

export interface SchemaResult {
  readonly valid: ValidatedDocument[];
  readonly problems: Problem[];
}

function problemAt(source: SourceDocument, pointer: string, message: string, at: "key" | "value" = "value"): Problem {
  return { file: source.file, ...locate(source, pointer, at), pointer, message };
}

function isPolicyKind(kind: unknown): kind is PolicyKind {
  return (POLICY_KINDS as readonly unknown[]).includes(kind);
}

// Kind and apiVersion decide which schema applies, so they are checked first.
function headerProblems(source: SourceDocument, value: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const { kind, apiVersion } = value;
  const kinds = POLICY_KINDS.map((k) => `\`${k}\``).join(" or ");
  if (kind === undefined) {
    problems.push(problemAt(source, "", `missing required field \`kind\` (${kinds})`));
  } else if (!isPolicyKind(kind)) {
    const hint = typeof kind === "string" ? suggestionSuffix(kind, POLICY_KINDS) : "";
    problems.push(problemAt(source, "/kind", `unknown kind \`${String(kind)}\`; expected ${kinds}${hint}`));
  }
  if (apiVersion !== undefined && apiVersion !== API_VERSION) {
    problems.push(problemAt(source, "/apiVersion", `unknown apiVersion \`${String(apiVersion)}\`; expected \`${API_VERSION}\``));
  }
  return problems;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function validateSchemas(documents: readonly SourceDocument[]): SchemaResult {
  const { byKind } = policyValidators();
  const valid: ValidatedDocument[] = [];
  const problems: Problem[] = [];
  for (const source of documents) {
    const { value } = source;
    if (!isMapping(value)) {
      problems.push(problemAt(source, "", "a policy document must be a mapping with `apiVersion` and `kind`"));
      continue;
    }
    const header = headerProblems(source, value);
    if (header.length > 0 || !isPolicyKind(value.kind)) {
      problems.push(...header);
      continue;
    }
    const validate = byKind[value.kind];
    if (validate(value)) {
      valid.push({ source, body: value } as unknown as ValidatedDocument);
      continue;
    }
    for (const err of validate.errors ?? []) {
      // An `if` failure only says its `then`/`else` failed, whose own errors are reported;
      // likewise `propertyNames` only says that a key failed; its own error names the key.
      if (err.keyword === "if" || err.keyword === "propertyNames") continue;
      const finding = describeSchemaError(err);
      problems.push(problemAt(source, finding.pointer, finding.message, finding.at));
    }
  }
  return { valid, problems };
}
