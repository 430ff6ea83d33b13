import { LRUCache } from 'lru-cache'
import type { Clock } from '../../clock.js'
import type { SignedQuery } from './request.js'

/**
 * What claiming a signature found: `first` use, a `repeat` for the same message (WeChat
 * retrying), or a `conflict` — the signature already carried a different message.
 */
export type SignatureClaim = 'first' | 'repeat' | 'conflict'

/**
 * Remembers which message each signed query was used for. In plaintext mode WeChat signs only
 * token, timestamp and nonce, never the body, so a captured URL would otherwise authenticate any
 * body (any sender, any command) for as long as its timestamp stays inside the window.
 *
 * `claim` must be atomic: of two concurrent first claims of one signature, exactly one is
 * `first`. It may be asynchronous (a shared database); the in-memory one answers at once. A claim
 * must be kept for 2 × the timestamp window. Note for a ledger shared by several instances: a
 * `repeat` is answered only from the reply cache of the process that took it, so WeChat's retry
 * reaching another instance is refused there (the first instance's late-reply hook still applies).
 */
export interface SignatureLedger {
  claim(signatureKey: string, messageKey: string): SignatureClaim | Promise<SignatureClaim>
}

/**
 * The ledger key of a signed query: timestamp and nonce (the signature is a function of them and
 * the token). The timestamp is all digits (checked with the window), so ':' cannot occur in it.
 */
export function signatureKey(query: SignedQuery): string {
  return `${query.timestamp}:${query.nonce}`
}

/**
 * The message rate the default bound is sized for, sustained over the whole TTL: 150,000 claims
 * at the default 300 s window. Past the bound the oldest claim is forgotten while its timestamp
 * may still pass the window, and its URL could carry one more message. Only correctly signed
 * requests are claimed, so nobody without the token can fill the ledger: it takes real traffic.
 * 250 messages a second for ten minutes is far beyond what one Official Account sends to a
 * privacy assistant; one claim costs about 360 bytes of heap (about 55 MB when full), plus 32
 * bytes per slot that lru-cache allocates up front (about 5 MB). Evictions of claims still inside
 * the window are reported (onOverflow), so a deployment that outgrows the bound shows in the log.
 */
export const LEDGER_SIZED_FOR_MESSAGES_PER_SECOND = 250

/** Options for the in-memory ledger. */
export interface MemorySignatureLedgerOptions {
  readonly clock: Clock
  /** config.wechat.timestampWindowSeconds: a timestamp this far from now still passes. */
  readonly windowSeconds: number
  /** Default: LEDGER_SIZED_FOR_MESSAGES_PER_SECOND × the TTL in seconds. */
  readonly maxEntries?: number
  /**
   * Told when the bound forced out a claim whose signature could still pass the window (the 1st,
   * 2nd, 4th, 8th… time, so a flood cannot flood the log): the bound is too small for the traffic.
   */
  readonly onOverflow?: (liveEvictions: number) => void
}

/**
 * One process's ledger, on an LRU cache with a TTL driven by the injected clock (as ReplyDedupe).
 *
 * A timestamp passes while it is within ±window of now, so a signature first used at
 * timestamp − window can be replayed until timestamp + window: each claim lives 2 × window. The
 * cache is only read with peek(), which keeps the LRU order equal to claim order, so the bound
 * always evicts the oldest claim, never one a lookup happened to touch.
 */
export class MemorySignatureLedger implements SignatureLedger {
  readonly #claims: LRUCache<string, string>
  #liveEvictions = 0

  constructor(options: MemorySignatureLedgerOptions) {
    const ttlSeconds = 2 * options.windowSeconds
    const { clock, windowSeconds, onOverflow } = options
    this.#claims = new LRUCache<string, string>({
      max: Math.max(1, options.maxEntries ?? Math.ceil(LEDGER_SIZED_FOR_MESSAGES_PER_SECOND * ttlSeconds)),
      // lru-cache counts an entry stale only once its age exceeds the TTL, so the edge is covered.
      ttl: ttlSeconds * 1000,
      perf: { now: () => clock.now().getTime() },
      ttlResolution: 0,
      dispose: (_messageKey, key, reason) => {
        if (reason !== 'evict') return
        // Still replayable if its signed timestamp would pass the window check now.
        const signedAt = Number(key.slice(0, key.indexOf(':')))
        if (!(signedAt + windowSeconds >= clock.now().getTime() / 1000)) return
        const n = ++this.#liveEvictions
        if ((n & (n - 1)) === 0) onOverflow?.(n)
      },
    })
  }

  /** Claims still remembered (for tests and metrics). */
  get size(): number {
    return this.#claims.size
  }

  /** Claims the bound forgot while their signature could still pass the window. */
  get liveEvictions(): number {
    return this.#liveEvictions
  }

  claim(signatureKey: string, messageKey: string): SignatureClaim {
    const held = this.#claims.peek(signatureKey)
    if (held !== undefined) return held === messageKey ? 'repeat' : 'conflict'
    this.#claims.set(signatureKey, messageKey)
    return 'first'
  }
}
