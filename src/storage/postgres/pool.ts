import pg from 'pg'
import type { Logger } from '../../log.js'
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
}

/**
 * A connection pool whose idle-connection errors are logged instead of crashing the process
 * (node-postgres emits them as 'error' events: a server restart would otherwise be fatal).
 */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
  })
  pool.on('error', (e) => {
    options.logger.warn({ event: 'postgres.idle_client_error', code: unavailableCode(e) ?? 'UNKNOWN' }, 'idle PostgreSQL connection failed')
  })
  return pool
}

/**
 * Runs `fn` in a transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws.
 * Connection failures reject with StorageUnavailableError; a broken connection is dropped from the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect().catch((e: unknown) => Promise.reject(asUnavailable(e)))
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (e) {
    if (unavailableCode(e)) broken = e as Error
    else await client.query('ROLLBACK').catch((rollbackError: unknown) => void (broken = rollbackError as Error))
    throw asUnavailable(e)
  } finally {
    client.release(broken)
  }
}

/** pool.query with connection failures turned into StorageUnavailableError. */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(pool: pg.Pool, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(text, values)
  } catch (e) {
    throw asUnavailable(e)
  }
}
