// Golden-file comparison for tests: UPDATE_GOLDEN=1 rewrites the expected file instead.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const updatingGolden = process.env.UPDATE_GOLDEN === "1";

/** The expected text, after rewriting it first when updating goldens. */
export function golden(path: string, actual: string): string {
  if (updatingGolden) writeFileSync(path, actual);
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 to create it`);
  return readFileSync(path, "utf8");
}
