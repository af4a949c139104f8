// `aegis fmt`: policy YAML in one key order and one quoting style, comments kept, so diffs stay
// small. Key order is the order of the properties in the JSON Schemas (the one source of truth
// for the format); keys the schema does not name keep their place after the named ones, and maps
// of the user's own keys (params paths) keep the user's order. Strings are written plain where
// YAML reads them back as the same string, else quoted (the yaml library decides); the style of
// collections (flow `[a, b]` or block) is kept.
import { isMap, isScalar, isSeq, parseAllDocuments, Scalar, type Document } from "yaml";
import commonSchema from "../../schemas/common.schema.json" with { type: "json" };
import agentPolicySchema from "../../schemas/agent-policy.schema.json" with { type: "json" };
import tenantSchema from "../../schemas/tenant.schema.json" with { type: "json" };

type SchemaNode = Record<string, unknown>;

const FILES: Record<string, SchemaNode> = {
  "common.schema.json": commonSchema as SchemaNode,
  "agent-policy.schema.json": agentPolicySchema as SchemaNode,
  "tenant.schema.json": tenantSchema as SchemaNode,
};

interface Located {
  readonly node: SchemaNode;
  readonly file: string;
}

function resolve(at: Located): Located {
  let current = at;
  for (let depth = 0; depth < 16 && typeof current.node.$ref === "string"; depth++) {
    const [file, pointer] = (current.node.$ref as string).split("#");
    const fileName = file === "" || file === undefined ? current.file : file;
    let node: unknown = FILES[fileName];
    for (const part of (pointer ?? "").split("/").filter((p) => p !== "")) node = (node as SchemaNode | undefined)?.[part];
    if (node === undefined) break;
    current = { node: node as SchemaNode, file: fileName };
  }
  // An action is a name or an object (if/then/else): a mapping takes the `else` branch.
  if (current.node.else !== undefined && current.node.properties === undefined) return resolve({ node: current.node.else as SchemaNode, file: current.file });
  return current;
}

function child(at: Located, key: string): Located | null {
  const properties = at.node.properties as Record<string, SchemaNode> | undefined;
  if (properties !== undefined && Object.hasOwn(properties, key)) return resolve({ node: properties[key] as SchemaNode, file: at.file });
  const additional = at.node.additionalProperties;
  if (typeof additional === "object" && additional !== null) return resolve({ node: additional as SchemaNode, file: at.file });
  return null;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function plainWherePossible(node: unknown): void {
  // A quoted scalar becomes plain unless plain would read back as something else; the yaml
  // library then quotes only where YAML needs it. Block scalars (| and >) are left as written.
  if (isScalar(node) && typeof node.value === "string" && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE)) {
    node.type = Scalar.PLAIN;
  }
}

function formatNode(node: unknown, at: Located | null): void {
  if (isMap(node)) {
    const order = Object.keys((at?.node.properties as Record<string, unknown> | undefined) ?? {});
    if (order.length > 0) {
      const rank = (key: string) => {
        const i = order.indexOf(key);
        return i < 0 ? order.length : i;
      };
      // Array.prototype.sort is stable: unnamed keys keep their relative order.
      node.items.sort((a, b) => rank(keyText(a.key)) - rank(keyText(b.key)));
    }
    for (const pair of node.items) {
      plainWherePossible(pair.key);
      plainWherePossible(pair.value);
      formatNode(pair.value, at === null ? null : child(at, keyText(pair.key)));
    }
  } else if (isSeq(node)) {
    const items = at?.node.items;
    const itemSchema = typeof items === "object" && items !== null ? resolve({ node: items as SchemaNode, file: at?.file ?? "" }) : null;
    for (const item of node.items) {
      plainWherePossible(item);
      formatNode(item, itemSchema);
    }
  }
}

function schemaFor(doc: Document): Located | null {
  const kind = isMap(doc.contents) ? doc.contents.get("kind") : undefined;
  if (kind === "AgentPolicy") return { node: FILES["agent-policy.schema.json"] as SchemaNode, file: "agent-policy.schema.json" };
  if (kind === "Tenant") return { node: FILES["tenant.schema.json"] as SchemaNode, file: "tenant.schema.json" };
  return null;
}

export type FormatResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

/** The formatted text of a policy file; a file that does not parse is left alone, with the reason. */
export function formatPolicyYaml(text: string): FormatResult {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs)) return { ok: true, text };
  for (const doc of docs) {
    if (doc.errors.length > 0) return { ok: false, error: doc.errors[0]?.message.split("\n", 1)[0] ?? "does not parse" };
  }
  const out = docs.map((doc) => {
    formatNode(doc.contents, schemaFor(doc));
    plainWherePossible(doc.contents);
    // lineWidth 0: never fold long lines the author wrote on one.
    return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
  });
  return { ok: true, text: out.join("") };
}
