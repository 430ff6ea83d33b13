import { readdirSync } from 'node:fs'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { MIGRATIONS_DIR, MIGRATION_LOCK_KEY, migrate } from '../../../src/storage/postgres/migrate.js'
import { createTestDatabase } from '../../support/postgres.js'

/** Every migration shipped, in the order they apply. */
const ALL = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.replace(/\.sql$/, ''))
  .sort()

const dropLater: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(dropLater.splice(0).map((drop) => drop()))
})

async function freshDatabase(): Promise<string> {
  const db = await createTestDatabase()
  dropLater.push(db.drop)
  return db.url
}

describe('migrate', () => {
  it('runs once when two replicas migrate the same database at the same time', async () => {
    const url = await freshDatabase()
    const pools = [new pg.Pool({ connectionString: url, max: 2 }), new pg.Pool({ connectionString: url, max: 2 })]
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool)))
      expect(results.map((r) => r.length).sort()).toEqual([0, ALL.length])
      expect(results.flat()).toEqual(ALL)
      const { rows } = await pools[0]!.query<{ name: string }>('SELECT name FROM pgmigrations')
      expect(rows.map((r) => r.name)).toEqual(ALL)
      await pools[1]!.query('SELECT id, channel, user_id, state, kind, created_at, closed_at, purged_at, record FROM requests')
      // Pools passed in stay open for their owner.
      expect(await migrate(pools[1]!)).toEqual([])
    } finally {
      await Promise.all(pools.map((p) => p.end()))
    }
  })

  it('waits while another process holds the migration lock', async () => {
    const url = await freshDatabase()
    const holder = new pg.Client({ connectionString: url })
    await holder.connect()
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
      let done = false
      const running = migrate(url).then((names) => ((done = true), names))
      await new Promise((r) => setTimeout(r, 300))
      expect(done).toBe(false)
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      expect(await running).toEqual(ALL)
    } finally {
      await holder.end()
    }
  })
})
