import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, inject } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { migrate } from '../../src/storage/postgres/migrate.js'
import { createPool, type Pool } from '../../src/storage/postgres/pool.js'

/**
 * A fresh database on the run's PostgreSQL server (see postgres-global-setup.ts), named
 * test_<random>, and a drop() for afterAll. Each test file takes its own, so files running in
 * parallel never see each other's rows.
 */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const adminUrl = inject('postgresAdminUrl')
  const name = `test_${randomBytes(6).toString('hex')}`
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`))
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  }
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * For a test file: its own database, migrated before the first test, and pools made in it — each
 * one a replica of the service — ended, with the database dropped, after the last.
 */
export function migratedDatabase(): { url(): string; pool(options?: { max?: number; url?: string }): Pool } {
  let db: { url: string; drop: () => Promise<void> } | undefined
  const pools: Pool[] = []
  beforeAll(async () => {
    db = await createTestDatabase()
    await migrate(db.url)
  })
  afterAll(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()))
    await db?.drop()
  })
  return {
    url: () => db!.url,
    pool: (options = {}) => {
      // A pool for another URL (one that nothing listens on) gives up quickly.
      const pool = createPool({ connectionString: options.url ?? db!.url, max: options.max ?? 4, connectionTimeoutMillis: options.url ? 500 : undefined, logger: silentLogger() })
      pools.push(pool)
      return pool
    },
  }
}
