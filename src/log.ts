import { hash } from 'node:crypto'
import { pino, type Logger } from 'pino'

export type { Logger }

/**
 * One JSON line per event. Callers log ids, kinds and sizes — never message text, names,
 * e-mail addresses or phone numbers; the redaction below is a second line of defence.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  // Asynchronous and batched: stdout to a pipe or file is a synchronous write per line in Node, far
  // too costly on the webhook's hot path. Lines are written 4 KiB at a time, and at least every FLUSH_INTERVAL_MS when traffic is light.
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

/** Pseudonymous user id for logs: enough to correlate lines, not to recover the OpenID. */
export function userTag(userId: string): string {
  return hash('sha256', userId, 'hex').slice(0, 12)
}

/**
 * An error for the log: its name and up to five stack frames, never its message (which might
 * quote what the user wrote). V8 stacks start with "Name: message"; that exact prefix is cut off
 * (a message may span lines), and a stack not starting with it is dropped altogether.
 */
export function errorSummary(error: unknown): { errorName: string; code?: string; frames?: string } {
  if (!(error instanceof Error)) return { errorName: typeof error }
  // An errno code (ENOSPC, EACCES, …) says what went wrong without saying anything about the data.
  const raw = (error as { code?: unknown }).code
  const code = typeof raw === 'string' ? raw : undefined
  const stack = error.stack ?? ''
  const head = error.message === '' ? error.name : `${error.name}: ${error.message}`
  if (!stack.startsWith(head)) return { errorName: error.name, ...(code ? { code } : {}) }
  const frames = stack
    .slice(head.length)
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 5)
    .join('\n')
  return { errorName: error.name, ...(code ? { code } : {}), frames }
}
