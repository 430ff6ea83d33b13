import type { RateLimit } from '../../assistant/stores.js'
import { sha256Hex } from '../../digest.js'
import { errorSummary, type Logger } from '../../log.js'
import { query, type Pool } from './pool.js'

/** Buckets idle this long are full again, and are dropped now and then by whichever replica is counting. */
const IDLE_MS = 10 * 60_000

/**
 * The per-person token bucket of RateLimiter, in the shared `rate_buckets` table: refill, take and
 * remember the outcome in one upsert, so replicas count together. The key is stored as a digest.
 * When the database cannot be reached the message is let through: a limit on floods must not silence
 * policy answers during an outage.
 */
export class PostgresRateLimiter implements RateLimit {
  #lastPrune = 0
  readonly #pool: Pool
  readonly #perMinute: number
  readonly #logger: Logger

  constructor(pool: Pool, perMinute: number, logger: Logger) {
    this.#pool = pool
    this.#perMinute = perMinute
    this.#logger = logger
  }

  async allow(key: string, now: Date): Promise<boolean> {
    try {
      await this.#prune(now)
      const refilled = `LEAST($2::double precision, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ($3::timestamptz - b.updated_at))) * $2::double precision / 60)`
      const { rows } = await query<{ allowed: boolean }>(
        this.#pool,
        `INSERT INTO rate_buckets AS b (key, tokens, updated_at, allowed) VALUES ($1, $2::double precision - 1, $3, true)
         ON CONFLICT (key) DO UPDATE SET
           tokens = CASE WHEN ${refilled} >= 1 THEN ${refilled} - 1 ELSE ${refilled} END,
           allowed = ${refilled} >= 1,
           updated_at = $3
         RETURNING allowed`,
        [sha256Hex(key), this.#perMinute, now],
      )
      return rows[0]?.allowed ?? true
    } catch (e) {
      this.#logger.warn({ event: 'rate_limit.unavailable', ...errorSummary(e) })
      return true
    }
  }

  async #prune(now: Date): Promise<void> {
    if (now.getTime() - this.#lastPrune < IDLE_MS) return
    this.#lastPrune = now.getTime()
    await query(this.#pool, 'DELETE FROM rate_buckets WHERE updated_at < $1', [new Date(now.getTime() - IDLE_MS)])
  }
}
