// pino JSON logs. Secrets never reach a log line: known credential fields are redacted
// by path, and decision records carry only masked parameters (see src/authz).
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "aegis" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ["authorization", "*.authorization", "headers.authorization", "token", "*.token", "override_token", "*.override_token", "admin_token", "*.admin_token", "secret", "*.secret"],
        censor: "[REDACTED]",
      },
    },
    destination ?? process.stdout,
  );
}
