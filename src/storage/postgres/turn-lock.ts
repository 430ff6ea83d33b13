import type { TurnLock } from '../../assistant/stores.js'
import { errorSummary, type Logger } from '../../log.js'
import { connect, type Pool } from './pool.js'

/**
 * One person's turns one at a time across every replica: a session advisory lock on the person's
 * key, held on a connection of its own for the turn. A replica that dies mid-turn drops its
 * connection, and with it the lock. The pool is the lock's own, so turns waiting for a person never
 * hold back the queries of turns that are running (which would deadlock a shared pool).
 *
 * When the database cannot be reached the turn runs without the lock: a policy question needs no
 * database, and a rights turn then fails to save and says so honestly.
 */
export class PostgresTurnLock implements TurnLock {
  readonly #pool: Pool
  readonly #logger: Logger

  constructor(pool: Pool, logger: Logger) {
    this.#pool = pool
    this.#logger = logger
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let client
    try {
      client = await connect(this.#pool)
    } catch (e) {
      this.#logger.warn({ event: 'turn_lock.unavailable', ...errorSummary(e) }, 'turn runs without the cross-replica lock')
      return work()
    }
    let broken: Error | undefined
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key])
    } catch (e) {
      client.release(e as Error)
      throw e
    }
    try {
      return await work()
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch((e: unknown) => void (broken = e as Error))
      // A connection whose unlock failed is dropped: closing it releases the lock.
      client.release(broken)
    }
  }
}
