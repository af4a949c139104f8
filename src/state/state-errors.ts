import { AegisError } from "../errors/registry.ts";

// Driver errors (SQLITE_BUSY, connection refused, script errors) all surface as one code, so
// callers fail closed on AEGIS_ERR_STATE without knowing which backend is configured.
export function toStateError(cause: unknown, operation: string): AegisError {
  if (cause instanceof AegisError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new AegisError("AEGIS_ERR_STATE", `state store ${operation} failed: ${message}`, { cause });
}

export async function guarded<T>(operation: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    throw toStateError(cause, operation);
  }
}
