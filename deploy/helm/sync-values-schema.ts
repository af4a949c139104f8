// Copies schemas/config.schema.json into the chart's values.schema.json as the schema of `config`,
// so `helm install` rejects what `aegis serve` would reject. Run after changing the config schema:
//   node deploy/helm/sync-values-schema.ts
// (test/deploy/helm.test.ts fails while the two differ).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);
const valuesSchemaPath = fileURLToPath(new URL("deploy/helm/aegis/values.schema.json", root));

/** The config schema as the chart embeds it: without the document-level keys. */
export function embeddedConfigSchema(configSchema: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { $schema: _s, $id: _i, title: _t, description: _d, ...rest } = configSchema;
  return {
    description: "aegis.yaml keys merged last over what the chart renders (schemas/config.schema.json; node deploy/helm/sync-values-schema.ts)",
    ...rest,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const configSchema = JSON.parse(readFileSync(fileURLToPath(new URL("schemas/config.schema.json", root)), "utf8")) as Record<string, unknown>;
  const valuesSchema = JSON.parse(readFileSync(valuesSchemaPath, "utf8")) as { properties: Record<string, unknown> };
  valuesSchema.properties["config"] = embeddedConfigSchema(configSchema);
  writeFileSync(valuesSchemaPath, `${JSON.stringify(valuesSchema, null, 2)}\n`);
}
