import type { Logger } from '../log.js'
import { ioCode } from './errors.js'

/** Where stores report the outcome of their writes. */
export interface StorageHealth {
  /**
   * A write to `file` failed with `error` (an errno error: ENOSPC, EACCES, EROFS, …). `retry` writes
   * what is still unwritten again; it is run in the background until it succeeds.
   */
  failed(file: string, error: unknown, retry: () => Promise<void>): void
  /** A write to `file` reached the disk. */
  succeeded(file: string): void
}

export type StorageStatus = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly file: string; readonly since: string }

interface Failure {
  readonly code: string
  readonly since: string
  retry: () => Promise<void>
}

/**
 * Tracks whether the service can write its state, for `/healthz`: degraded while any store's last
 * write failed. While degraded it retries each failed store every `retryMs`, so the service
 * recovers by itself once space (or permission) comes back, with or without traffic. Each change
 * is logged once, with the errno code and the path — never data — so a full disk under load is a
 * few log lines, not one per message.
 */
export class StorageHealthMonitor implements StorageHealth {
  readonly #logger: Logger
  readonly #retryMs: number
  readonly #failures = new Map<string, Failure>()
  #timer: NodeJS.Timeout | undefined
  #retrying = false

  constructor(logger: Logger, options: { retryMs?: number } = {}) {
    this.#logger = logger
    this.#retryMs = options.retryMs ?? 2_000
  }

  failed(file: string, error: unknown, retry: () => Promise<void>): void {
    const code = ioCode(error)
    const known = this.#failures.get(file)
    if (known?.code === code) {
      known.retry = retry
      return
    }
    this.#failures.set(file, { code, since: known?.since ?? new Date().toISOString(), retry })
    this.#logger.error({ event: 'storage.write_failed', code, file }, 'cannot write state')
    this.#timer ??= setInterval(() => void this.retryFailed(), this.#retryMs).unref()
  }

  succeeded(file: string): void {
    const known = this.#failures.get(file)
    if (!known) return
    this.#failures.delete(file)
    this.#logger.warn({ event: 'storage.recovered', code: known.code, since: known.since, file }, 'state is written again')
    if (this.#failures.size === 0) this.#stopTimer()
  }

  status(): StorageStatus {
    const first = this.#failures.entries().next()
    if (first.done) return { ok: true }
    const [file, { code, since }] = first.value
    return { ok: false, code, file, since }
  }

  /** Runs every pending retry once (the timer does this while degraded). */
  async retryFailed(): Promise<void> {
    if (this.#retrying) return
    this.#retrying = true
    try {
      for (const [, failure] of [...this.#failures]) await failure.retry().catch(() => undefined)
    } finally {
      this.#retrying = false
    }
  }

  /** Stops background retries (at shutdown). */
  close(): void {
    this.#stopTimer()
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
  }
}

/** For stores opened without a monitor (tests, tools). */
export const ignoreHealth: StorageHealth = { failed() {}, succeeded() {} }
