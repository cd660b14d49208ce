// Structured logs with pino. Known secret-bearing fields are redacted by path; literal secret values
// in free text are redacted by lib/redact.ts before anything is stored or streamed.
import pino from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: bindings,
    redact: {
      paths: [
        "apiKey",
        "*.apiKey",
        "token",
        "*.token",
        "password",
        "*.password",
        "authorization",
        "*.authorization",
        "headers.authorization",
        "*.headers.authorization",
      ],
      censor: "[redacted]",
    },
  });
}
