// The CLI's argument conventions in one place: a malformed command line prints the reason and the
// usage and exits 2; --help prints the usage and exits 0.
import { parseArgs, type ParseArgsConfig } from "node:util";

export type ParsedCommand<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/** Writes `aegis <command>: <message>` (when given) and the usage to stderr; returns exit code 2. */
export function usageError(command: string, usage: string, message?: string): number {
  process.stderr.write(message === undefined ? usage : `aegis ${command}: ${message}\n\n${usage}`);
  return 2;
}

/** node:util parseArgs, or the exit code to return when the command line already decided it. */
export function parseCommand<T extends ParseArgsConfig>(command: string, usage: string, config: T): ParsedCommand<T> | number {
  let parsed: ParsedCommand<T>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    return usageError(command, usage, (err as Error).message);
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    process.stdout.write(usage);
    return 0;
  }
  return parsed;
}
