// Where the generic Rego library lives, found from this file rather than the working directory,
// so `aegis build` works from anywhere.
import { fileURLToPath } from "node:url";

export function defaultRegoDir(): string {
  return fileURLToPath(new URL("../../policies/aegis", import.meta.url));
}
