import { LRUCache } from 'lru-cache'
import type { Clock } from '../../clock.js'
import type { WechatFields } from './xml.js'

/**
 * Claims on messages shared by every replica (a database table): WeChat may send its retry of a
 * message to another replica while the first is still answering it.
 */
export interface MessageClaims<T> {
  /** True for the first caller to claim the message anywhere: that one answers it. */
  claim(key: string): Promise<boolean>
  /** Records the answer, for retries that reached another replica. */
  settle(key: string, answer: T): Promise<void>
  /** The answer recorded for the message, once there is one. */
  settled(key: string): Promise<{ readonly answer: T } | undefined>
}

/** Options for the retry cache. */
export interface DedupeOptions<T> {
  readonly clock: Clock
  /** Claims shared with other replicas; without them the cache is this process's alone. */
  readonly shared?: {
    readonly claims: MessageClaims<T>
    /** What a retry answers when another replica claimed the message and has not answered within `waitMs` (an empty reply). */
    readonly empty: T
    /** How long a retry waits for another replica's answer (default 4 s: WeChat waits 5). */
    readonly waitMs?: number
  }
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
  readonly #shared: DedupeOptions<T>['shared']

  constructor(options: DedupeOptions<T>) {
    this.#shared = options.shared
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
    const promise = Promise.resolve().then(() => (this.#shared ? claimedWork(key, work, this.#shared) : work()))
    // The caller may stop waiting (reply budget); keep an unobserved rejection from crashing Node.
    promise.catch(() => undefined)
    this.#entries.set(key, { promise })
    return { promise, fresh: true }
  }
}

/**
 * Runs `work` when this replica is the first to claim the message, and records its answer for the
 * others; a retry that reached another replica waits for that answer, and answers empty if it is
 * not ready in time (never a second answer, never a second request). When the claims cannot be
 * reached (the database is down), the message is answered here: policy questions need no database,
 * and a rights turn then says honestly that it cannot be saved.
 */
async function claimedWork<T>(key: string, work: () => Promise<T>, shared: NonNullable<DedupeOptions<T>['shared']>): Promise<T> {
  let mine: boolean
  try {
    mine = await shared.claims.claim(key)
  } catch {
    return work()
  }
  if (mine) {
    const answer = await work()
    await shared.claims.settle(key, answer).catch(() => undefined)
    return answer
  }
  const until = Date.now() + (shared.waitMs ?? 4_000)
  while (Date.now() < until) {
    const settled = await shared.claims.settled(key).catch(() => undefined)
    if (settled) return settled.answer
    await new Promise((resolve) => setTimeout(resolve, SETTLED_POLL_MS))
  }
  return shared.empty
}

/** How often a retry looks for another replica's answer. */
const SETTLED_POLL_MS = 100

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
