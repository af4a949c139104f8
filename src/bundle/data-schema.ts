// data.json against schemas/data.schema.json before a bundle goes live: the host reads the tools
// catalog, budgets and approval routing from it at every check, so a wrong shape (a catalog that is
// a string) would fail every check that needs it, long after the load probe passed. A bundle's
// data.json is checked piece by piece from its index (the document without agents, then each
// agent alone), so the loader never holds the whole document parsed.
import { Ajv2020 } from "ajv/dist/2020.js";
import schema from "../../schemas/data.schema.json" with { type: "json" };
import { AegisError } from "../errors/registry.ts";
import type { DataIndex } from "./data-index.ts";
import { dataSlicer } from "./data-slice.ts";
import { DATA_FILE } from "./read.ts";

type Validator = ReturnType<Ajv2020["compile"]>;
let compiled: { whole: Validator; agent: Validator } | undefined;

// Compiled on first use (a few hundred ms on a busy machine), so a poll that finds nothing new
// never pays for it. allErrors off: the first problem is enough to refuse, and a huge data.json is
// not walked twice.
function validators(): { whole: Validator; agent: Validator } {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ allErrors: false, strict: false });
    const whole = ajv.compile(schema);
    const agent = ajv.getSchema(`${schema.$id}#/$defs/agent`);
    if (agent === undefined) throw new Error("data.schema.json has no $defs/agent");
    compiled = { whole, agent };
  }
  return compiled;
}

/** Checks a parsed data.json against the schema. */
export function checkBundleData(data: unknown): void {
  check(validators().whole, data, "");
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function parsePiece(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", `${DATA_FILE} is not valid UTF-8 JSON: ${(err as Error).message}`);
  }
}

const pointerToken = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/** Checks data.json from its bytes and index: every byte parsed, never the whole document at once. */
export function checkBundleDataBytes(bytes: Uint8Array, index: DataIndex): void {
  const slicer = dataSlicer(bytes, index);
  if (slicer.whole) return checkBundleData(parsePiece(bytes));
  const { whole, agent } = validators();
  const skeleton = parsePiece(slicer.topJson()) as Record<string, unknown>;
  // Defined, not assigned: a tenant named "__proto__" would otherwise become the prototype, and its
  // fields be checked as tenants.
  const tenants = Object.fromEntries([...slicer.tenantNames()].map((tenant) => [tenant, parsePiece(slicer.tenantJson(tenant)!)]));
  check(whole, { ...skeleton, tenants }, "");
  for (const tenant of slicer.tenantNames()) {
    for (const name of slicer.agentNames(tenant)) {
      check(agent, parsePiece(slicer.agentJson(tenant, name)!), `/tenants/${pointerToken(tenant)}/agents/${pointerToken(name)}`);
    }
  }
}

function check(validate: Validator, data: unknown, at: string): void {
  if (validate(data)) return;
  const first = validate.errors?.[0];
  const path = `${at}${first?.instancePath ?? ""}`;
  const where = path === "" ? "/" : path;
  throw new AegisError("AEGIS_ERR_BUNDLE_DATA_INVALID", `${DATA_FILE} does not match its schema: ${where}: ${first?.message ?? "invalid"}`, {
    details: { pointer: where },
  });
}
