import pg from 'pg'
import type { Logger } from '../../log.js'
import type { StorageHealth } from '../health.js'
import { StorageUnavailableError } from '../errors.js'
import { asUnavailable, unavailableCode } from './unavailable.js'

export type { Pool, PoolClient } from 'pg'

export interface PoolOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string
  /** Connections kept open at most (default 10). */
  max?: number
  /** How long a call waits for a connection before failing with StorageUnavailableError (default 5 s). */
  connectionTimeoutMillis?: number
  logger: Logger
  /**
   * Commit without waiting for the disk (synchronous_commit off): for bookkeeping a server crash may
   * lose without harm, so it costs no flush per message.
   */
  asyncCommit?: boolean
  /** Longest wait for a lock before the statement fails (55P03); none by default. */
  lockTimeoutMillis?: number
  /** Told when the server cannot be reached and when it answers again, for /healthz. */
  health?: StorageHealth
}

/** What /healthz names as the failing store. */
export const POSTGRES_STORE = 'postgres'

/** Each pool's health watcher: reports an unreachable server once, and its return. */
const watchers = new WeakMap<pg.Pool, { health: StorageHealth; down: boolean }>()

/**
 * A connection pool whose idle-connection errors are logged instead of crashing the process
 * (node-postgres emits them as 'error' events: a server restart would otherwise be fatal).
 */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
    lock_timeout: options.lockTimeoutMillis,
    ...(options.asyncCommit ? { options: '-c synchronous_commit=off' } : {}),
  })
  pool.on('error', (e) => {
    options.logger.warn({ event: 'postgres.idle_client_error', code: unavailableCode(e) ?? 'UNKNOWN' }, 'idle PostgreSQL connection failed')
  })
  if (options.health) watchers.set(pool, { health: options.health, down: false })
  return pool
}

/**
 * Tells the pool's health watcher how a call went. While the server is out of reach the monitor
 * probes it (SELECT 1) in the background, so /healthz recovers without traffic.
 */
function observe(pool: pg.Pool, error?: unknown): void {
  const watcher = watchers.get(pool)
  if (!watcher) return
  if (error === undefined) {
    if (watcher.down) {
      watcher.down = false
      watcher.health.succeeded(POSTGRES_STORE)
    }
    return
  }
  if (!(error instanceof StorageUnavailableError)) return
  watcher.down = true
  watcher.health.failed(POSTGRES_STORE, error, async () => {
    await pool.query('SELECT 1')
    observe(pool)
  })
}

/**
 * Runs `fn` in a transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws.
 * Connection failures reject with StorageUnavailableError; a broken connection is dropped from the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await connect(pool)
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    observe(pool)
    return result
  } catch (e) {
    if (unavailableCode(e)) broken = e as Error
    else await client.query('ROLLBACK').catch((rollbackError: unknown) => void (broken = rollbackError as Error))
    const error = asUnavailable(e)
    observe(pool, error)
    throw error
  } finally {
    client.release(broken)
  }
}

/** Connections that already have a listener for errors while checked out. */
const guarded = new WeakSet<pg.PoolClient>()

/**
 * A connection of the pool; failing to get one is StorageUnavailableError. A connection held between
 * queries (a lock kept for a turn, a replica's outbox lock) that the server drops emits 'error', which
 * would crash the process unheard: it is noted instead, and the holder finds out at its next query.
 */
export async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    const client = await pool.connect()
    if (!guarded.has(client)) {
      guarded.add(client)
      client.on('error', (e) => observe(pool, asUnavailable(e)))
    }
    return client
  } catch (e) {
    const error = asUnavailable(e)
    observe(pool, error)
    throw error
  }
}

/** pool.query with connection failures turned into StorageUnavailableError. */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(pool: pg.Pool, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
  try {
    const result = await pool.query<R>(text, values)
    observe(pool)
    return result
  } catch (e) {
    const error = asUnavailable(e)
    observe(pool, error)
    throw error
  }
}
