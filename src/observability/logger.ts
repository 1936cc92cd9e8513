import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

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

/** LOG_FORMAT: JSON lines for machines (default), or readable single lines for a terminal. */
export type LogFormat = 'json' | 'pretty';

/** Creates the process logger: JSON lines (or pretty ones), secrets and message text redacted either way. */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const out =
    format === 'pretty'
      ? pretty({ sync: true, singleLine: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ...(destination ? { destination } : {}) })
      : destination;
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    out,
  );
}

/** The level SIGUSR2 switches to from `configured` (debug, or info when debug or finer is configured), and back. */
export function toggledLevel(current: string, configured: string): string {
  if (current !== configured) return configured;
  return configured === 'debug' || configured === 'trace' ? 'info' : 'debug';
}

/** On SIGUSR2 the log level switches between LOG_LEVEL and debug (info if LOG_LEVEL is debug or trace), without a restart. */
export function onLogLevelSignal(logger: Logger, configured: string): void {
  process.on('SIGUSR2', () => {
    const from = logger.level;
    logger.level = toggledLevel(from, configured);
    logger.warn({ from, to: logger.level }, 'log level changed (SIGUSR2)');
  });
}
