import { pino, type Logger } from 'pino'

export type { Logger }

/**
 * One JSON line per event. Callers log ids, kinds and sizes — never message text, names,
 * e-mail addresses or phone numbers; the redaction below is a second line of defence.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: {
        paths: ['text', 'content', 'name', 'email', 'phone', 'contact', '*.text', '*.content', '*.name', '*.email', '*.phone', '*.contact'],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stdout,
  )
}

/** A logger that drops everything, for tests and terminal tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
