// data.json against schemas/data.schema.json before a bundle goes live: the host reads the tools
// catalog, budgets and approval routing from it at every check, so a wrong shape (a catalog that is
// a string) would fail every check that needs it, long after the load probe passed.
import { Ajv2020 } from "ajv/dist/2020.js";
import schema from "../../schemas/data.schema.json" with { type: "json" };
import { AegisError } from "../errors/registry.ts";
import { DATA_FILE } from "./read.ts";

type Validator = ReturnType<Ajv2020["compile"]>;
let compiled: Validator | undefined;

// Compiled on first use (a few hundred ms on a busy machine), so a poll that finds nothing new
// never pays for it. allErrors off: the first problem is enough to refuse, and a huge data.json is
// not walked twice.
function validator(): Validator {
  compiled ??= new Ajv2020({ allErrors: false, strict: false }).compile(schema);
  return compiled;
}

export function checkBundleData(data: unknown): void {
  const validate = validator();
  if (validate(data)) return;
  const first = validate.errors?.[0];
  const where = first?.instancePath === undefined || first.instancePath === "" ? "/" : first.instancePath;
  throw new AegisError("AEGIS_ERR_BUNDLE_DATA_INVALID", `${DATA_FILE} does not match its schema: ${where}: ${first?.message ?? "invalid"}`, {
    details: { pointer: where },
  });
}
