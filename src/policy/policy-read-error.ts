import { AegisError } from "../errors/registry.ts";

const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
};

/** One line for the user, without the stack or the path repeated by Node's own message. */
export function policyReadError(path: string, err: unknown): AegisError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code === undefined ? undefined : REASONS[code]) ?? (err instanceof Error ? err.message : String(err));
  return new AegisError("AEGIS_ERR_POLICY_READ", `cannot read ${path}: ${reason}`, { cause: err });
}
