import type { Clock } from '../../clock.js'
import { StoreClosedError } from '../errors.js'
import type { ConversationStore } from '../conversation-store.js'
import { inTransaction, query, type Pool } from './pool.js'

/**
 * A KeyValueStore (and ConversationStore) in the shared `kv` table, under its own namespace, so
 * every replica reads what any other wrote. Values are stored as jsonb; get returns a fresh copy.
 * A failed connection surfaces as StorageUnavailableError.
 */
export class PostgresKeyValueStore<T> implements ConversationStore<T> {
  #closed = false
  readonly #pool: Pool
  readonly #namespace: string
  readonly #clock: Clock

  constructor(pool: Pool, namespace: string, clock: Clock) {
    this.#pool = pool
    this.#namespace = namespace
    this.#clock = clock
  }

  async get(key: string): Promise<T | undefined> {
    const { rows } = await query<{ value: T }>(this.#pool, 'SELECT value FROM kv WHERE namespace = $1 AND key = $2', [this.#namespace, key])
    return rows[0]?.value
  }

  async set(key: string, value: T): Promise<void> {
    this.#assertOpen()
    await query(
      this.#pool,
      `INSERT INTO kv (namespace, key, value, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
      [this.#namespace, key, JSON.stringify(value), this.#clock.now()],
    )
  }

  async delete(key: string): Promise<boolean> {
    this.#assertOpen()
    const result = await query(this.#pool, 'DELETE FROM kv WHERE namespace = $1 AND key = $2', [this.#namespace, key])
    return result.rowCount === 1
  }

  /** Under a transaction-scoped advisory lock on the key, so concurrent updates from any replica queue up. */
  async update(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    this.#assertOpen()
    return inTransaction(this.#pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`kv:${this.#namespace}:${key}`])
      const { rows } = await client.query<{ value: T }>('SELECT value FROM kv WHERE namespace = $1 AND key = $2', [this.#namespace, key])
      const before = rows[0]?.value
      const after = change(before === undefined ? undefined : structuredClone(before))
      if (after === undefined) {
        if (before !== undefined) await client.query('DELETE FROM kv WHERE namespace = $1 AND key = $2', [this.#namespace, key])
      } else {
        await client.query(
          `INSERT INTO kv (namespace, key, value, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
          [this.#namespace, key, JSON.stringify(after), this.#clock.now()],
        )
      }
      return before
    })
  }

  async deleteIdleSince(cutoff: Date): Promise<number> {
    this.#assertOpen()
    const result = await query(this.#pool, 'DELETE FROM kv WHERE namespace = $1 AND updated_at < $2', [this.#namespace, cutoff])
    return result.rowCount ?? 0
  }

  /** The pool belongs to the storage bundle, which ends it. */
  async close(): Promise<void> {
    this.#closed = true
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(`kv:${this.#namespace}`)
  }
}
