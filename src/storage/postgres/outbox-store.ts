import { randomUUID } from 'node:crypto'
import type { OutboxItem, OutboxItems } from '../../outbox/outbox-store.js'
import { connect, query, type Pool, type PoolClient } from './pool.js'

/**
 * The outbox in the shared `outbox` table. Each replica owns the messages it queued and sends them
 * itself, as a single process does; its memory mirrors its own rows. While it lives it holds a
 * session advisory lock named after its owner id, on a connection of its own: a replica that can take
 * another owner's lock knows that owner is gone, and takes its rows over (adoptOrphans), so a message
 * outlives the replica that queued it.
 */
export class PostgresOutboxStore implements OutboxItems {
  readonly #items = new Map<string, OutboxItem>()
  readonly #owner = randomUUID()
  #seq: number
  #life: PoolClient | undefined
  readonly #pool: Pool

  private constructor(pool: Pool) {
    this.#pool = pool
    // Unique across replicas without coordination: a message's order among those to one person.
    this.#seq = Date.now() * 1000
  }

  /** Takes this replica's owner lock; fails when the database cannot be reached. */
  static async open(pool: Pool): Promise<PostgresOutboxStore> {
    const store = new PostgresOutboxStore(pool)
    store.#life = await store.#takeLife()
    return store
  }

  /**
   * The owner lock on a connection of its own. When the server drops that connection (a restart, an
   * outage) the lock goes with it; the next write takes it again.
   */
  async #takeLife(): Promise<PoolClient> {
    const client = await connect(this.#pool)
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [ownerLock(this.#owner)])
    } catch (e) {
      client.release(true)
      throw e
    }
    client.once('error', () => {
      if (this.#life !== client) return
      this.#life = undefined
      client.release(true)
    })
    return client
  }

  async #keepLife(): Promise<void> {
    if (!this.#life) this.#life = await this.#takeLife().catch(() => undefined)
  }

  nextSeq(): number {
    return ++this.#seq
  }

  list(): OutboxItem[] {
    return [...this.#items.values()].sort((a, b) => a.seq - b.seq).map((i) => structuredClone(i))
  }

  get(id: string): OutboxItem | undefined {
    const item = this.#items.get(id)
    return item && structuredClone(item)
  }

  size(): number {
    return this.#items.size
  }

  async put(item: OutboxItem): Promise<void> {
    await this.#keepLife()
    await query(
      this.#pool,
      'INSERT INTO outbox (id, owner, seq, item) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, seq = EXCLUDED.seq, item = EXCLUDED.item',
      [item.id, this.#owner, item.seq, JSON.stringify(item)],
    )
    this.#items.set(item.id, structuredClone(item))
  }

  async remove(id: string): Promise<void> {
    if (!this.#items.has(id)) return
    await query(this.#pool, 'DELETE FROM outbox WHERE id = $1', [id])
    this.#items.delete(id)
  }

  async adoptOrphans(): Promise<OutboxItem[]> {
    const { rows } = await query<{ owner: string }>(this.#pool, 'SELECT DISTINCT owner FROM outbox WHERE owner <> $1', [this.#owner])
    const adopted: OutboxItem[] = []
    for (const { owner } of rows) adopted.push(...(await this.#adoptFrom(owner)))
    for (const item of adopted) this.#items.set(item.id, item)
    return adopted.map((i) => structuredClone(i))
  }

  /** The owner's rows, if its lock can be had (it is dead); the lock is let go at once. */
  async #adoptFrom(owner: string): Promise<OutboxItem[]> {
    const client = await connect(this.#pool)
    let broken: Error | undefined
    try {
      const { rows } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS free', [ownerLock(owner)])
      if (!rows[0]?.free) return []
      try {
        const moved = await client.query<{ item: OutboxItem }>('UPDATE outbox SET owner = $2 WHERE owner = $1 RETURNING item', [owner, this.#owner])
        return moved.rows.map((r) => r.item)
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [ownerLock(owner)])
      }
    } catch (e) {
      broken = e as Error
      throw e
    } finally {
      client.release(broken)
    }
  }

  async flush(): Promise<void> {}

  /** Lets go of the owner lock: what is left here is adopted by the elected replica. */
  async close(): Promise<void> {
    const life = this.#life
    this.#life = undefined
    if (!life) return
    // Unlocked before it returns, so the elected replica can take what is left at once; a connection
    // that cannot say so is closed, which unlocks it too.
    try {
      await life.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [ownerLock(this.#owner)])
      life.release()
    } catch (e) {
      life.release(e as Error)
    }
  }
}

const ownerLock = (owner: string): string => `outbox-owner:${owner}`
