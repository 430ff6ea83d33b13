import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import path from 'node:path'
import { silentLogger } from '../../src/log.js'
import { MemoryKeyValueStore, type ConversationStore } from '../../src/storage/conversation-store.js'
import { JsonKeyValueStore } from '../../src/storage/key-value-store.js'
import { StoreClosedError } from '../../src/storage/errors.js'
import { PostgresKeyValueStore } from '../../src/storage/postgres/key-value-store.js'
import { migrate } from '../../src/storage/postgres/migrate.js'
import { createPool, type Pool } from '../../src/storage/postgres/pool.js'
import { createTestDatabase } from '../support/postgres.js'
import { TestClock } from '../support/test-clock.js'
import { tempDataDir } from '../support/temp-data-dir.js'

type State = { step: string; fields?: Record<string, string> }

/** This file's PostgreSQL database and pool, made on first use; each test takes a namespace of its own. */
let database: Promise<{ pool: Pool; drop: () => Promise<void> }> | undefined
const postgres = () =>
  (database ??= createTestDatabase().then(async (db) => {
    await migrate(db.url)
    return { pool: createPool({ connectionString: db.url, max: 2, logger: silentLogger() }), drop: db.drop }
  }))
afterAll(async () => {
  const db = await database
  await db?.pool.end()
  await db?.drop()
})

const implementations: [string, (clock: TestClock) => Promise<{ store: ConversationStore<State>; cleanup: () => Promise<void> }>][] = [
  ['memory', async (clock) => ({ store: new MemoryKeyValueStore<State>(clock), cleanup: async () => {} })],
  [
    'file',
    async (clock) => {
      const tmp = await tempDataDir()
      const store = await JsonKeyValueStore.open<State>(path.join(tmp.dataDir, 'conversations.json'), clock)
      return { store, cleanup: async () => (await store.close(), await tmp.cleanup()) }
    },
  ],
  [
    'postgres',
    async (clock) => {
      const { pool } = await postgres()
      const store = new PostgresKeyValueStore<State>(pool, `test-${randomUUID()}`, clock)
      return { store, cleanup: () => store.close() }
    },
  ],
]

describe.each(implementations)('ConversationStore (%s)', (_name, make) => {
  let clock: TestClock
  let store: ConversationStore<State>
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    clock = new TestClock(new Date('2026-11-29T00:00:00Z'))
    ;({ store, cleanup } = await make(clock))
  })
  afterEach(async () => cleanup())

  it('gets copies, so callers cannot change stored state by accident', async () => {
    const value: State = { step: 'a', fields: { email: 'x@y.z' } }
    await store.set('k', value)
    value.step = 'changed'
    const got = await store.get('k')
    expect(got).toEqual({ step: 'a', fields: { email: 'x@y.z' } })
    got!.step = 'changed again'
    expect((await store.get('k'))?.step).toBe('a')
  })

  it('deletes, and drops idle conversations', async () => {
    await store.set('a', { step: '1' })
    clock.advance(40 * 60_000)
    await store.set('b', { step: '2' })
    expect(await store.deleteIdleSince(new Date(clock.now().getTime() - 30 * 60_000))).toBe(1)
    expect(await store.get('a')).toBeUndefined()
    expect(await store.delete('b')).toBe(true)
    expect(await store.delete('b')).toBe(false)
    expect(await store.get('b')).toBeUndefined()
  })
})

describe('JsonKeyValueStore after close', () => {
  it('refuses writes', async () => {
    const tmp = await tempDataDir()
    const store = await JsonKeyValueStore.open<State>(path.join(tmp.dataDir, 'c.json'), new TestClock(new Date()))
    await store.close()
    await expect(store.set('a', { step: '1' })).rejects.toThrow(StoreClosedError)
    await tmp.cleanup()
  })
})

describe('JournaledConversationStore', () => {
  const setup = async () => {
    const { mkdtemp } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const dir = await mkdtemp(path.join(tmpdir(), 'journal-'))
    let now = new Date('2026-11-29T02:00:00Z')
    const clock = { now: () => now, advance: (ms: number) => (now = new Date(now.getTime() + ms)) }
    const file = path.join(dir, 'conversations.json')
    return { dir, clock, file }
  }

  it('writes a change made just as the previous batch finished (no lost wake-up)', async () => {
    const { JournaledConversationStore } = await import('../../src/storage/journaled-store.js')
    const { file, clock } = await setup()
    const store = await JournaledConversationStore.open<{ n: number }>(file, clock)
    const within = <T>(p: Promise<T>): Promise<T | 'stuck'> => Promise.race([p, new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 2_000))])
    // Each change starts the moment the one before it is acknowledged, with nothing else queued.
    for (let i = 0; i < 20; i++) expect(await within(store.set('wechat-oa:u1', { n: i }))).toBeUndefined()
    for (let i = 0; i < 20; i++) expect(await within(store.delete('wechat-oa:u1').then(() => store.set('wechat-oa:u1', { n: i })))).toBeUndefined()
    await store.close()
  })

  it('keeps every change across a reopen and compacts the journal', async () => {
    const { readFile, stat, rm } = await import('node:fs/promises')
    const { JournaledConversationStore } = await import('../../src/storage/journaled-store.js')
    const { dir, clock, file } = await setup()
    const store = await JournaledConversationStore.open<{ n: number }>(file, clock, { compactBytes: 2_000 })
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.set(`wechat-oa:u${i}`, { n: i })))
    expect(await store.delete('wechat-oa:u5')).toBe(true)
    expect(await store.delete('wechat-oa:u5')).toBe(false)
    clock.advance(3_600_000)
    await store.set('wechat-oa:u7', { n: 70 })
    // Compaction kept the journal small however many turns were written.
    expect((await stat(store.file)).size).toBeLessThan(2_500)
    expect((await stat(store.file)).mode & 0o777).toBe(0o600)
    const reopened = await JournaledConversationStore.open<{ n: number }>(file, clock)
    expect(await reopened.get('wechat-oa:u7')).toEqual({ n: 70 })
    expect(await reopened.get('wechat-oa:u5')).toBeUndefined()
    expect(reopened.size()).toBe(99)
    expect(await reopened.deleteIdleSince(new Date(clock.now().getTime() - 60_000))).toBe(98)
    await reopened.close()
    const final = await JournaledConversationStore.open<{ n: number }>(file, clock)
    expect(final.size()).toBe(1)
    expect(JSON.parse(await readFile(file, 'utf8')).entries['wechat-oa:u7'].value).toEqual({ n: 70 })
    await final.close()
    await store.close().catch(() => undefined)
    await rm(dir, { recursive: true, force: true })
  })

  it('ignores a last line torn by a crash, and refuses a damaged line elsewhere without touching it', async () => {
    const { writeFile, readFile, rm } = await import('node:fs/promises')
    const { JournaledConversationStore } = await import('../../src/storage/journaled-store.js')
    const { CorruptStoreError } = await import('../../src/storage/errors.js')
    const { dir, clock, file } = await setup()
    const journal = path.join(dir, 'conversations.journal')
    await writeFile(journal, '{"k":"a","v":{"n":1},"t":"2026-11-29T02:00:00.000Z"}\n{"k":"b","v":{"n":2},"t":"2026-11-29T02:00:00.000Z"}\n{"k":"a","v":{"n')
    const store = await JournaledConversationStore.open<{ n: number }>(file, clock)
    expect(await store.get('a')).toEqual({ n: 1 })
    expect(await store.get('b')).toEqual({ n: 2 })
    await store.close()
    const damaged = '{"k":"a","v":{"n":1},"t":"x"}\nnot json\n{"k":"b","d":1}\n'
    await writeFile(journal, damaged)
    const err = await JournaledConversationStore.open(file, clock).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CorruptStoreError)
    expect((err as InstanceType<typeof CorruptStoreError>).file).toBe(journal)
    expect(await readFile(journal, 'utf8')).toBe(damaged)
    await rm(dir, { recursive: true, force: true })
  })
})
