import type { RateLimit } from './stores.js'

interface Bucket {
  tokens: number
  updatedAt: number
}

/**
 * Per-user token bucket: `perMinute` messages a minute on average, bursts up to the same number.
 * A fast typist in a conversation never meets it; a flood is cut off. Memory stays bounded: idle
 * buckets are full again and are dropped when the map grows.
 */
export class RateLimiter implements RateLimit {
  readonly #buckets = new Map<string, Bucket>()
  readonly #refillPerMs: number
  readonly #perMinute: number
  readonly #maxUsers: number

  constructor(perMinute: number, maxUsers = 50_000) {
    this.#perMinute = perMinute
    this.#maxUsers = maxUsers
    this.#refillPerMs = perMinute / 60_000
  }

  /** Takes one token for `key`; false when the user is over the limit. */
  allow(key: string, now: Date): boolean {
    const t = now.getTime()
    const b = this.#buckets.get(key) ?? { tokens: this.#perMinute, updatedAt: t }
    b.tokens = Math.min(this.#perMinute, b.tokens + (t - b.updatedAt) * this.#refillPerMs)
    b.updatedAt = t
    this.#buckets.delete(key)
    this.#buckets.set(key, b)
    if (this.#buckets.size > this.#maxUsers) this.#evictIdle(t)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  #evictIdle(t: number): void {
    // Oldest first (insertion order is refreshed on use); a bucket idle for a minute is full anyway.
    for (const [key, b] of this.#buckets) {
      if (this.#buckets.size <= this.#maxUsers && t - b.updatedAt < 60_000) break
      this.#buckets.delete(key)
    }
  }
}
