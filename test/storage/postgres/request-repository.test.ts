import { createServer } from 'node:net'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/log.js'
import type { NewRequest } from '../../../src/requests/model.js'
import { StorageUnavailableError } from '../../../src/storage/errors.js'
import { migrate } from '../../../src/storage/postgres/migrate.js'
import { PostgresRequestRepository } from '../../../src/storage/postgres/request-repository.js'
import { createTestDatabase } from '../../support/postgres.js'
import { TestClock } from '../../support/test-clock.js'

const alice: NewRequest = { kind: 'rights', type: 'access', channel: 'wechat-oa', userId: 'o-alice', personal: { name: 'Alice' } }

let db: { url: string; drop: () => Promise<void> }
beforeAll(async () => {
  db = await createTestDatabase()
  await migrate(db.url)
})
afterAll(async () => db?.drop())

async function sql<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    return await client.query<R>(text, values)
  } finally {
    await client.end()
  }
}

describe('PostgresRequestRepository across processes', () => {
  it('serialises concurrent updates of one request from two pools: none is lost', async () => {
    const clock = new TestClock('2026-11-30T02:00:00Z')
    // Two repositories with pools of their own: two replicas of the service.
    const a = new PostgresRequestRepository({ pool: db.url, clock, logger: silentLogger(), poolMax: 5 })
    const b = new PostgresRequestRepository({ pool: db.url, clock, logger: silentLogger(), poolMax: 5 })
    try {
      const r = await a.create(alice)
      const n = 40
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          (i % 2 === 0 ? a : b).update(r.id, (d) => d.replies.push({ at: clock.now().toISOString(), by: `staff:s${i}`, text: `reply ${i}` }), {
            actor: `staff:s${i}`,
            action: 'replied',
          }),
        ),
      )
      const final = await b.get(r.id)
      expect(final?.replies).toHaveLength(n)
      expect(new Set(final?.replies.map((x) => x.by))).toEqual(new Set(Array.from({ length: n }, (_, i) => `staff:s${i}`)))
      expect(final?.audit).toHaveLength(n + 1)
      // Each audit entry went with its reply, in the order the updates committed.
      expect(final?.audit.slice(1).map((x) => x.actor)).toEqual(final?.replies.map((x) => x.by))
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('returns deeply frozen records from reads', async () => {
    const repo = new PostgresRequestRepository({ pool: db.url, clock: new TestClock(), logger: silentLogger() })
    try {
      const { id } = await repo.create(alice)
      const read = await repo.get(id)
      expect(Object.isFrozen(read)).toBe(true)
      expect(Object.isFrozen(read?.personal)).toBe(true)
      expect(Object.isFrozen(read?.audit[0])).toBe(true)
      expect(Object.isFrozen((await repo.list())[0]?.audit)).toBe(true)
    } finally {
      await repo.close()
    }
  })

  it('keeps the audit trail append-only and requests undeletable, even for hand-written SQL', async () => {
    const repo = new PostgresRequestRepository({ pool: db.url, clock: new TestClock(), logger: silentLogger() })
    try {
      const { id } = await repo.create(alice)
      await repo.update(id, { state: 'verified' }, { actor: 'staff:s1', action: 'verified' })
      await expect(sql(`UPDATE requests SET record = jsonb_set(record, '{audit}', '[]') WHERE id = $1`, [id])).rejects.toThrow(/append-only/)
      await expect(sql(`UPDATE requests SET record = jsonb_set(record, '{audit,0,action}', '"edited"') WHERE id = $1`, [id])).rejects.toThrow(/append-only/)
      await expect(sql('DELETE FROM requests WHERE id = $1', [id])).rejects.toThrow(/never deleted/)
      // Appending is what updates do.
      await sql(`UPDATE requests SET record = jsonb_set(record, '{audit}', (record -> 'audit') || '[{"at":"x","actor":"system","action":"note"}]') WHERE id = $1`, [id])
      expect((await repo.get(id))?.audit.map((x) => x.action)).toEqual(['created', 'verified', 'note'])
    } finally {
      await repo.close()
    }
  })

  it('keeps the indexed columns in step with the record', async () => {
    const clock = new TestClock('2026-11-30T02:00:00Z')
    const repo = new PostgresRequestRepository({ pool: db.url, clock, logger: silentLogger() })
    try {
      const { id } = await repo.create({ ...alice, userId: 'o-columns' })
      clock.advance(60_000)
      await repo.update(id, { state: 'closed' }, { actor: 'staff:s1', action: 'closed' })
      await repo.purgeExpired(new Date('2028-01-01T00:00:00Z'), (await import('luxon')).Duration.fromISO('P1Y'))
      const { rows } = await sql<{ channel: string; user_id: string; kind: string; state: string; created_at: Date; closed_at: Date; purged_at: Date }>(
        'SELECT channel, user_id, kind, state, created_at, closed_at, purged_at FROM requests WHERE id = $1',
        [id],
      )
      expect(rows[0]).toEqual({
        channel: 'wechat-oa',
        user_id: 'o-columns',
        kind: 'rights',
        state: 'closed',
        created_at: new Date('2026-11-30T02:00:00Z'),
        closed_at: new Date('2026-11-30T02:01:00Z'),
        purged_at: new Date('2028-01-01T00:00:00Z'),
      })
    } finally {
      await repo.close()
    }
  })
})

describe('PostgresRequestRepository without a server', () => {
  it('fails with StorageUnavailableError when PostgreSQL cannot be reached', async () => {
    const url = `postgres://postgres:x@127.0.0.1:${await unusedPort()}/nowhere`
    const repo = new PostgresRequestRepository({ pool: url, clock: new TestClock(), logger: silentLogger() })
    try {
      const err = await repo.create(alice).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StorageUnavailableError)
      expect(err).toMatchObject({ store: 'postgres', code: 'ECONNREFUSED' })
      await expect(repo.get('PR-20261130-AAAAAA')).rejects.toBeInstanceOf(StorageUnavailableError)
      await expect(repo.update('PR-20261130-AAAAAA', { state: 'closed' }, { actor: 'system', action: 'x' })).rejects.toBeInstanceOf(StorageUnavailableError)
      await expect(migrate(url)).rejects.toBeInstanceOf(StorageUnavailableError)
    } finally {
      await repo.close()
    }
  })
})

/** A port nothing listens on (it was free a moment ago). */
function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
