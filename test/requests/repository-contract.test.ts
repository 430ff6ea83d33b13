import { Duration } from 'luxon'
import pg from 'pg'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { RequestNotFoundError } from '../../src/requests/errors.js'
import { MemoryRequestRepository } from '../../src/requests/memory-repository.js'
import type { NewRequest } from '../../src/requests/model.js'
import type { RequestRepository } from '../../src/requests/repository.js'
import { FileRequestRepository } from '../../src/storage/file-request-repository.js'
import { migrate } from '../../src/storage/postgres/migrate.js'
import { PostgresRequestRepository } from '../../src/storage/postgres/request-repository.js'
import { createTestDatabase } from '../support/postgres.js'
import { TestClock } from '../support/test-clock.js'
import { tempDataDir } from '../support/temp-data-dir.js'

/** This file's PostgreSQL database, created and migrated on first use; each test starts from an empty table. */
let database: Promise<{ url: string; drop: () => Promise<void> }> | undefined
const postgresDatabase = () =>
  (database ??= createTestDatabase().then(async (db) => (await migrate(db.url), db)))
afterAll(async () => (await database)?.drop())

/** The same behaviour is required of the in-memory double, the file-backed and the PostgreSQL repository. */
const implementations: [string, (clock: TestClock) => Promise<{ repo: RequestRepository; cleanup: () => Promise<void> }>][] = [
  ['memory', async (clock) => ({ repo: new MemoryRequestRepository({ clock }), cleanup: async () => {} })],
  [
    'file',
    async (clock) => {
      const tmp = await tempDataDir()
      const repo = await FileRequestRepository.open({ dir: tmp.dataDir, clock, logger: silentLogger() })
      return { repo, cleanup: async () => (await repo.close(), await tmp.cleanup()) }
    },
  ],
  [
    'postgres',
    async (clock) => {
      const { url } = await postgresDatabase()
      const repo = new PostgresRequestRepository({ pool: url, clock, logger: silentLogger(), poolMax: 2 })
      return { repo, cleanup: async () => (await repo.close(), await truncate(url)) }
    },
  ],
]

async function truncate(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('TRUNCATE requests')
  await client.end()
}

const alice: NewRequest = {
  kind: 'rights',
  type: 'delete',
  channel: 'wechat-oa',
  userId: 'o-alice',
  personal: { name: 'Alice', email: 'alice@example.com', details: { account: 'a1' } },
}

describe.each(implementations)('RequestRepository (%s)', (_name, make) => {
  let clock: TestClock
  let repo: RequestRepository
  let cleanup: () => Promise<void>

  beforeEach(async () => {
    clock = new TestClock(new Date('2026-11-29T17:00:00Z'))
    ;({ repo, cleanup } = await make(clock))
  })
  afterEach(async () => cleanup())

  it('creates a submitted request with an id, dates and a first audit entry', async () => {
    const r = await repo.create(alice)
    expect(r.id).toMatch(/^PR-20261130-[A-Z2-9]{6}$/)
    expect(r).toMatchObject({ kind: 'rights', type: 'delete', state: 'submitted', createdAt: '2026-11-29T17:00:00.000Z', replies: [] })
    expect(r.audit).toEqual([{ at: '2026-11-29T17:00:00.000Z', actor: 'user', action: 'created' }])
    expect(await repo.get(r.id)).toEqual(r)
    expect(await repo.get('PR-20261130-ZZZZZZ')).toBeUndefined()
  })

  it('returns frozen records that cannot be edited behind its back', async () => {
    const r = await repo.create(alice)
    expect(() => ((r as { state: string }).state = 'closed')).toThrow(TypeError)
    expect((await repo.get(r.id))?.state).toBe('submitted')
  })

  it('rejects inconsistent input', async () => {
    await expect(repo.create({ ...alice, type: undefined })).rejects.toThrow(/needs a type/)
    await expect(repo.create({ ...alice, kind: 'inquiry' })).rejects.toThrow(/no right type/)
  })

  it('updates by patch or mutator and appends the audit entry atomically', async () => {
    const r = await repo.create(alice)
    clock.advance(60_000)
    const v = await repo.update(r.id, { state: 'verified', verifiedAt: clock.now().toISOString(), dueAt: '2026-12-14T17:01:00.000Z' }, { actor: 'staff:s1', action: 'verified' })
    expect(v.state).toBe('verified')
    clock.advance(60_000)
    const replied = await repo.update(
      r.id,
      (d) => {
        d.state = 'replied'
        d.replies.push({ at: clock.now().toISOString(), by: 'staff:s1', text: 'Done' })
        d.audit = [] // ignored: the trail is append-only
        d.id = 'PR-x' // ignored
      },
      { actor: 'staff:s1', action: 'replied', note: 'reply sent' },
    )
    expect(replied.id).toBe(r.id)
    expect(replied.audit.map((a) => a.action)).toEqual(['created', 'verified', 'replied'])
    expect(replied.audit[2]).toEqual({ at: '2026-11-29T17:02:00.000Z', actor: 'staff:s1', action: 'replied', note: 'reply sent' })
    const closed = await repo.update(r.id, { state: 'closed' }, { actor: 'staff:s1', action: 'closed' })
    expect(closed.closedAt).toBe('2026-11-29T17:02:00.000Z')
    expect(await repo.get(r.id)).toEqual(closed)
  })

  it('leaves the request as it was when the mutator throws, and the error reaches the caller', async () => {
    const r = await repo.create(alice)
    const refused = new Error('already sent')
    await expect(
      repo.update(
        r.id,
        (d) => {
          d.state = 'closed'
          throw refused
        },
        { actor: 'system', action: 'followup-sent', note: 'remind:P5D' },
      ),
    ).rejects.toBe(refused)
    expect(await repo.get(r.id)).toEqual(r)
  })

  it('throws a typed NotFound for an unknown id', async () => {
    const err = await repo.update('PR-20261130-AAAAAA', { state: 'closed' }, { actor: 'system', action: 'x' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RequestNotFoundError)
    expect((err as RequestNotFoundError).requestId).toBe('PR-20261130-AAAAAA')
  })

  it('keeps users apart and counts open requests', async () => {
    const a1 = await repo.create(alice)
    clock.advance(1000)
    const a2 = await repo.create({ ...alice, kind: 'inquiry', type: undefined })
    await repo.create({ ...alice, userId: 'o-bob' })
    await repo.create({ ...alice, channel: 'cli' })
    expect((await repo.listByUser('wechat-oa', 'o-alice')).map((r) => r.id)).toEqual([a1.id, a2.id])
    expect(await repo.listByUser('wechat-oa', 'o-nobody')).toEqual([])
    expect(await repo.countOpenByUser('wechat-oa', 'o-alice')).toBe(2)
    await repo.update(a1.id, { state: 'rejected' }, { actor: 'staff:s1', action: 'rejected' })
    expect(await repo.countOpenByUser('wechat-oa', 'o-alice')).toBe(1)
    expect((await repo.list({ states: ['rejected'] })).map((r) => r.id)).toEqual([a1.id])
    expect(await repo.list({ kind: 'inquiry' })).toHaveLength(1)
    expect(await repo.list()).toHaveLength(4)
  })

  it('purges expired closed/rejected requests, keeps the audit, and is idempotent', async () => {
    const old = await repo.create(alice)
    await repo.update(old.id, (d) => d.replies.push({ at: clock.now().toISOString(), by: 'staff:s1', text: 'your data' }), { actor: 'staff:s1', action: 'replied' })
    await repo.update(old.id, { state: 'closed' }, { actor: 'staff:s1', action: 'closed' })
    const stillOpen = await repo.create(alice)
    clock.set('2027-06-01T00:00:00Z')
    const recent = await repo.create(alice)
    await repo.update(recent.id, { state: 'rejected' }, { actor: 'staff:s1', action: 'rejected' })

    const now = new Date('2027-12-01T00:00:00Z')
    expect(await repo.purgeExpired(now, Duration.fromISO('P1Y'))).toBe(1)
    const purged = await repo.get(old.id)
    expect(purged?.personal).toBeNull()
    expect(purged?.purgedAt).toBe(now.toISOString())
    expect(purged?.replies).toEqual([{ at: '2026-11-29T17:00:00.000Z', by: 'staff:s1' }])
    expect(purged?.audit.map((a) => a.action)).toEqual(['created', 'replied', 'closed', 'purged'])
    expect((await repo.get(stillOpen.id))?.personal).not.toBeNull()
    expect((await repo.get(recent.id))?.personal).not.toBeNull()

    expect(await repo.purgeExpired(now, Duration.fromISO('P1Y'))).toBe(0)
    expect((await repo.get(old.id))?.audit).toHaveLength(4)
    // Later edits cannot bring personal data back.
    const edited = await repo.update(old.id, { personal: { name: 'x' } }, { actor: 'system', action: 'note' })
    expect(edited.personal).toBeNull()
  })
})
