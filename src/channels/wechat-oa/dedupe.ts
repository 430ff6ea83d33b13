import { LRUCache } from 'lru-cache'
import type { Clock } from '../../clock.js'
import type { WechatFields } from './xml.js'

/** Options for the retry cache. */
export interface DedupeOptions {
  readonly clock: Clock
  /** WeChat retries within about 15 s; a minute covers that with room to spare. */
  readonly ttlMs?: number
  /** Upper bound on remembered messages, so a flood cannot grow memory without limit. */
  readonly maxEntries?: number
}

/**
 * WeChat resends a message up to 3 times, 5 s apart, when it has no answer yet. Remembering the
 * in-flight promise per message means a retry (even one arriving mid-processing) shares the
 * first attempt's result, and the assistant runs exactly once per message.
 *
 * An LRU cache with a TTL keeps every operation O(1) at the size bound.
 */
export class ReplyDedupe<T> {
  readonly #entries: LRUCache<string, { readonly promise: Promise<T> }>

  constructor(options: DedupeOptions) {
    this.#entries = new LRUCache({
      max: Math.max(1, options.maxEntries ?? 10_000),
      ttl: options.ttlMs ?? 60_000,
      // The injected clock decides expiry (tests move it); 0 means it is asked on every check.
      perf: { now: () => options.clock.now().getTime() },
      ttlResolution: 0,
      // A retry must not extend its own window: expiry counts from the first attempt.
      updateAgeOnGet: false,
    })
  }

  /** Number of remembered messages (for tests and metrics). */
  get size(): number {
    return this.#entries.size
  }

  /**
   * The remembered result for `key`, without ever starting work: a repeated signed query may only
   * share an answer, never cause a second one.
   */
  peek(key: string): Promise<T> | undefined {
    return this.#entries.get(key)?.promise
  }

  /**
   * Returns the remembered result for `key`, or runs `work` once and remembers its promise
   * (rejections included, so a retry does not run a failing message a second time).
   * `fresh` tells the caller whether this call started the work.
   */
  run(key: string, work: () => Promise<T>): { promise: Promise<T>; fresh: boolean } {
    const existing = this.#entries.get(key)
    if (existing) return { promise: existing.promise, fresh: false }
    const promise = Promise.resolve().then(work)
    // The caller may stop waiting (reply budget); keep an unobserved rejection from crashing Node.
    promise.catch(() => undefined)
    this.#entries.set(key, { promise })
    return { promise, fresh: true }
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
