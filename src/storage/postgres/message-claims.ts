import type { Clock } from '../../clock.js'
import { sha256Hex } from '../../digest.js'
import { query, type Pool } from './pool.js'

/** WeChat retries a message for about 15 s; claims are kept far longer, then dropped. */
const KEEP_MS = 60 * 60_000
const PRUNE_EVERY_MS = 10 * 60_000

/**
 * Claims on incoming messages in the `message_claims` table, shared by every replica: the first
 * INSERT of a message's retry identity wins, and its answer is recorded on the same row for
 * retries that reached another replica. A message is named by the SHA-256 of its retry identity: the
 * sender's OpenID is not kept in the table, and the identity's NUL separators never reach a text
 * column. Old claims are dropped now and then by whichever replica
 * is claiming, so no timer is needed.
 */
export class PostgresMessageClaims<T> {
  #lastPrune = 0
  readonly #pool: Pool
  readonly #clock: Clock

  constructor(pool: Pool, clock: Clock) {
    this.#pool = pool
    this.#clock = clock
  }

  async claim(key: string): Promise<boolean> {
    const now = this.#clock.now()
    if (now.getTime() - this.#lastPrune > PRUNE_EVERY_MS) {
      this.#lastPrune = now.getTime()
      await query(this.#pool, 'DELETE FROM message_claims WHERE claimed_at < $1', [new Date(now.getTime() - KEEP_MS)])
    }
    const result = await query(this.#pool, 'INSERT INTO message_claims (key, claimed_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [sha256Hex(key), now])
    return result.rowCount === 1
  }

  async settle(key: string, answer: T): Promise<void> {
    await query(this.#pool, 'UPDATE message_claims SET outcome = $2 WHERE key = $1', [sha256Hex(key), JSON.stringify({ answer })])
  }

  async settled(key: string): Promise<{ readonly answer: T } | undefined> {
    const { rows } = await query<{ outcome: { answer: T } | null }>(this.#pool, 'SELECT outcome FROM message_claims WHERE key = $1', [sha256Hex(key)])
    return rows[0]?.outcome ?? undefined
  }
}
