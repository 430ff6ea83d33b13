import { fileURLToPath } from 'node:url'
import { runner } from 'node-pg-migrate'
import pg from 'pg'
import { asUnavailable, unavailableCode } from './unavailable.js'

/** The SQL migrations, applied in file-name order (a millisecond timestamp prefix). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url))

/** The table where node-pg-migrate records which migrations ran. */
export const MIGRATIONS_TABLE = 'pgmigrations'

/**
 * Session advisory-lock key held while migrating ("jiku" in ASCII). A fixed key, so every replica
 * of the service takes the same lock: the first one migrates, the others wait and then find
 * nothing left to do.
 */
export const MIGRATION_LOCK_KEY = 0x6a696b75

type Log = (message: string) => void

/**
 * Brings the database schema up to date and resolves with the names of the migrations it applied
 * (empty when there was nothing to do). Runs under pg_advisory_lock(MIGRATION_LOCK_KEY) on one
 * connection, so replicas starting together are safe; pending migrations run in one transaction.
 * Accepts a pool (left open) or a connection string (a connection opened and closed here).
 */
export async function migrate(target: pg.Pool | string, options: { log?: Log } = {}): Promise<string[]> {
  const log: Log = options.log ?? (() => {})
  const client = typeof target === 'string' ? new pg.Client({ connectionString: target }) : undefined
  let pooled: pg.PoolClient | undefined
  let broken: Error | undefined
  try {
    if (client) await client.connect()
    else pooled = await (target as pg.Pool).connect()
    const db = (client ?? pooled) as pg.ClientBase
    // Blocks until no other process is migrating; released with the session if this one dies.
    await db.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    try {
      const applied = await runner({
        dbClient: db,
        dir: MIGRATIONS_DIR,
        direction: 'up',
        migrationsTable: MIGRATIONS_TABLE,
        checkOrder: true,
        singleTransaction: true,
        // The lock above is ours; node-pg-migrate's own lock fails instead of waiting by default.
        noLock: true,
        logger: { debug: log, info: log, warn: log, error: log },
      })
      return applied.map((m) => m.name)
    } finally {
      await db.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
    }
  } catch (e) {
    if (unavailableCode(e)) broken = e as Error
    throw asUnavailable(e)
  } finally {
    // A broken connection is dropped from the pool rather than handed to the next caller.
    pooled?.release(broken)
    await client?.end().catch(() => undefined)
  }
}
