import { AegisError } from "../errors/registry.ts";

// Durations are one positive integer and one unit (see schemas/common.schema.json#/$defs/duration).
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function durationSeconds(text: string): number {
  const match = /^([1-9][0-9]*)([smhd])$/.exec(text);
  const unit = match?.[2] === undefined ? undefined : UNIT_SECONDS[match[2]];
  if (match?.[1] === undefined || unit === undefined) {
    throw new AegisError("AEGIS_ERR_POLICY_INVALID", `not a duration: ${JSON.stringify(text)}`);
  }
  return Number(match[1]) * unit;
}
