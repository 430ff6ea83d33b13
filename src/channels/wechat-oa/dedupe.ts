import type { Clock } from '../../assistant/types.js'
import type { WechatFields } from './xml.js'

/** Options for the retry cache. */
export interface DedupeOptions {
  readonly clock: Clock
  /** WeChat retries within about 15 s; a minute covers that with room to spare. */
  readonly ttlMs?: number
  /** Upper bound on remembered messages, so a flood cannot grow memory without limit. */
  readonly maxEntries?: number
}

interface Entry<T> {
  readonly promise: Promise<T>
  readonly expiresAt: number
}

/**
 * WeChat resends a message up to 3 times, 5 s apart, when it has no answer yet. Remembering the
 * in-flight promise per message means a retry (even one arriving mid-processing) shares the
 * first attempt's result, and the assistant runs exactly once per message.
 */
export class ReplyDedupe<T> {
  // A Map iterates in insertion order, so the first key is always the oldest entry.
  readonly #entries = new Map<string, Entry<T>>()
  readonly #clock: Clock
  readonly #ttlMs: number
  readonly #maxEntries: number

  constructor(options: DedupeOptions) {
    this.#clock = options.clock
    this.#ttlMs = options.ttlMs ?? 60_000
    this.#maxEntries = Math.max(1, options.maxEntries ?? 10_000)
  }

  /** Number of remembered messages (for tests and metrics). */
  get size(): number {
    return this.#entries.size
  }

  /**
   * Returns the remembered result for `key`, or runs `work` once and remembers its promise
   * (rejections included, so a retry does not run a failing message a second time).
   * `fresh` tells the caller whether this call started the work.
   */
  run(key: string, work: () => Promise<T>): { promise: Promise<T>; fresh: boolean } {
    const now = this.#clock.now().getTime()
    this.#sweep(now)
    const existing = this.#entries.get(key)
    if (existing && existing.expiresAt > now) return { promise: existing.promise, fresh: false }
    this.#entries.delete(key)

    const promise = Promise.resolve().then(work)
    // The caller may stop waiting (reply budget); keep an unobserved rejection from crashing Node.
    promise.catch(() => undefined)
    this.#entries.set(key, { promise, expiresAt: now + this.#ttlMs })
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done) break
      this.#entries.delete(oldest.value)
    }
    return { promise, fresh: true }
  }

  /** Drops expired entries from the old end; every entry has the same TTL, so order holds. */
  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) break
      this.#entries.delete(key)
    }
  }
}

/**
 * The retry identity of a message: FromUserName + MsgId, or for events (which have no MsgId)
 * FromUserName + CreateTime, plus the event name and key so two different events in the same
 * second are not mistaken for one another.
 */
export function dedupeKey(fields: WechatFields): string {
  const from = fields.FromUserName ?? ''
  const msgId = fields.MsgId ?? fields.MsgID ?? ''
  if (msgId !== '') return `${from}\u0000msg\u0000${msgId}`
  return [from, 'evt', fields.CreateTime ?? '', fields.Event ?? '', fields.EventKey ?? ''].join('\u0000')
}
