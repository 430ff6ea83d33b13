import { pino, type Logger } from 'pino'

export type { Logger }

/**
 * One JSON line per event. Callers log ids, kinds and sizes — never message text, names,
 * e-mail addresses or phone numbers; the redaction below is a second line of defence.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  // Asynchronous and batched: stdout to a pipe or file is a synchronous write per line in Node, which
  // cost the webhook a fifth of its CPU; an asynchronous write per line still cost ~30 µs a message.
  // Lines are written 4 KiB at a time, and at least every FLUSH_INTERVAL_MS when traffic is light.
  // flushLogs writes the rest out before exiting; a SIGKILL can lose at most that last second.
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 })
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: {
        paths: ['text', 'content', 'name', 'email', 'phone', 'contact'],
        censor: '[redacted]',
      },
    },
    destination,
  )
  if ('flushSync' in destination) syncFlushers.set(logger, () => (destination as { flushSync(): void }).flushSync())
  if (!options.destination) {
    setInterval(() => {
      try {
        logger.flush()
      } catch {
        // A write already in progress carries the buffer with it; the next tick tries again.
      }
    }, FLUSH_INTERVAL_MS).unref()
  }
  return logger
}

/** Longest a log line waits in the buffer when traffic is too light to fill it. */
export const FLUSH_INTERVAL_MS = 1000

const syncFlushers = new WeakMap<Logger, () => void>()

/** Writes out buffered log lines (before the process exits). */
export function flushLogs(logger: Logger): void {
  try {
    const flushSync = syncFlushers.get(logger)
    if (flushSync) flushSync()
    else logger.flush()
  } catch {
    // Nothing more can be done about a log that cannot be written while exiting.
  }
}

/** A logger that drops everything, for tests and terminal tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
