import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

/** The structured logger every module receives (never a global). */
export type Logger = PinoLogger;

/** Field paths that must never reach a log line, whatever a caller passes. */
export const REDACTED_PATHS = [
  'token',
  'apiKey',
  'authorization',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.headers.authorization',
  'text',
  '*.text',
  'input',
  '*.input',
  'content',
  '*.content',
];

/** Creates the process logger: JSON lines, secrets and message text redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
