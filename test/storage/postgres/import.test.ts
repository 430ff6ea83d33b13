import { execFile } from 'node:child_process'
import { appendFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Duration } from 'luxon'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/log.js'
import type { NewRequest, RightsRequest } from '../../../src/requests/model.js'
import { DataDirLockedError } from '../../../src/storage/data-dir-lock.js'
import { CorruptStoreError } from '../../../src/storage/errors.js'
import { openStorage } from '../../../src/storage/open.js'
import { ImportRefusedError, KEYED_STORES, importDataDir } from '../../../src/storage/postgres/import.js'
import { migrate } from '../../../src/storage/postgres/migrate.js'
import { PostgresRequestRepository } from '../../../src/storage/postgres/request-repository.js'
import { createTestDatabase } from '../../support/postgres.js'
import { tempDataDir } from '../../support/temp-data-dir.js'
import { TestClock } from '../../support/test-clock.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

/** Personal data the requests and conversations hold: none of it may appear in the command's output. */
const PERSONAL = ['Zhang San', 'zhangsan@example.com', '13800000000', 'Li Si', 'please delete my account']

const request = (userId: string, name = 'Zhang San'): NewRequest => ({
  kind: 'rights',
  type: 'access',
  channel: 'wechat-oa',
  userId,
  personal: { name, email: 'zhangsan@example.com', phone: '13800000000' },
})

const NAMESPACES = ['conversations', ...KEYED_STORES]

interface Built {
  /** Every request id created, and the ones closed and purged. */
  ids: string[]
  closed: string
  purged: string
  /** A request whose last change is only in the journal. */
  journaled: string
}

/**
 * A DATA_DIR as a service leaves it, written by the real file stores: requests in two months (one
 * verified, one replied, one closed, one closed and purged), conversations, preferences and every
 * keyed store; then, as if the service had been killed, lines still in the journals (a request's
 * update, a conversation set and one deleted, a torn last line); and what the import leaves alone.
 */
async function buildDataDir(dataDir: string): Promise<Built> {
  const clock = new TestClock('2026-10-15T02:00:00Z')
  const storage = await openStorage({ dataDir, clock, logger: silentLogger() })
  const october = await Promise.all(['u1', 'u2', 'u3'].map((u) => storage.requests.create(request(u))))
  clock.set('2026-11-29T02:00:00Z')
  const november = await Promise.all(['u1', 'u4', 'u5', 'u6'].map((u) => storage.requests.create(request(u, 'Li Si'))))
  const inquiry = await storage.requests.create({ kind: 'inquiry', channel: 'wechat-oa', userId: 'u7', personal: { name: 'Li Si', details: { message: 'please delete my account' } } })
  const [purged, verified] = october as [RightsRequest, RightsRequest, RightsRequest]
  const [closed, replied, journaled] = november as [RightsRequest, RightsRequest, RightsRequest, RightsRequest]

  clock.set('2026-10-16T02:00:00Z')
  await storage.requests.update(purged.id, { state: 'closed' }, { actor: 'staff:s1', action: 'closed' })
  clock.set('2026-11-30T02:00:00Z')
  await storage.requests.update(verified.id, { state: 'verified' }, { actor: 'staff:s1', action: 'verified', note: 'identity checked' })
  await storage.requests.update(replied.id, { state: 'verified' }, { actor: 'staff:s1', action: 'verified' })
  await storage.requests.update(replied.id, (d) => void (d.state = 'replied', d.replies.push({ at: clock.now().toISOString(), by: 'staff:s1', text: 'Dear Li Si, here is your data' })), {
    actor: 'staff:s1',
    action: 'replied',
    via: 'console',
  })
  await storage.requests.update(closed.id, { state: 'closed' }, { actor: 'staff:s2', action: 'closed' })
  // Retention one year from 2027-11-01: the request closed in October 2026 is anonymised, November's is kept.
  expect(await storage.requests.purgeExpired(new Date('2027-11-01T00:00:00Z'), Duration.fromISO('P1Y'))).toBe(1)

  await storage.conversations.set('wechat-oa:u1', { step: 'ask-email', draft: { name: 'Zhang San' } })
  clock.advance(60_000)
  await storage.conversations.set('wechat-oa:u2', { step: 'confirm', draft: { email: 'zhangsan@example.com' } })
  await storage.conversations.set('wechat-oa:u3', { step: 'ask-name' })
  await storage.conversations.delete('wechat-oa:u3')
  await storage.preferences.set('wechat-oa:u1', { marketingOptOut: { optedOutAt: clock.now().toISOString() } })
  clock.advance(60_000)
  await storage.preferences.set('wechat-oa:u2', { unsubscribed: { at: clock.now().toISOString() } })
  await (await storage.keyed('held-notices')).set('wechat-oa:u1', { texts: ['Zhang San, your request was filed'] })
  await (await storage.keyed('console-sessions')).set('session-1', { staffId: 's1', createdAt: clock.now().toISOString() })
  clock.advance(60_000)
  await (await storage.keyed('sent-messages')).set(replied.id, { messages: [{ at: clock.now().toISOString(), digest: 'abc' }] })
  await storage.close()

  // Lines the service wrote but had not compacted yet when it stopped.
  const update: RightsRequest = {
    ...journaled,
    state: 'verified',
    verifiedAt: '2026-12-01T02:00:00.000Z',
    audit: [...journaled.audit, { at: '2026-12-01T02:00:00.000Z', actor: 'staff:s3', action: 'verified' }],
  }
  await appendFile(path.join(dataDir, 'requests', 'journal.ndjson'), `${JSON.stringify(update)}\n`)
  await appendFile(
    path.join(dataDir, 'conversations.journal'),
    [
      JSON.stringify({ k: 'wechat-oa:u8', v: { step: 'ask-phone', draft: { phone: '13800000000' } }, t: '2026-12-01T03:00:00.000Z' }),
      JSON.stringify({ k: 'wechat-oa:u2', d: 1 }),
      // Torn by a crash: never acknowledged, skipped.
      '{"k":"wechat-oa:u9","v":{"step":"ask-',
    ].join('\n'),
  )
  // A staff reply still waiting to be sent, and two questions the policy could not answer.
  const waiting = { id: 'b3c1f0de-0000-4000-8000-000000000001', seq: 3, to: { channel: 'wechat-oa', userId: 'u1' }, text: '您的申请已处理', createdAt: '2026-12-01T02:00:00.000Z', attempts: 1, lastError: '-1' }
  await writeFile(path.join(dataDir, 'outbox.json'), JSON.stringify({ version: 1, items: { [waiting.id]: waiting } }))
  await mkdir(path.join(dataDir, 'unanswered'))
  await writeFile(
    path.join(dataDir, 'unanswered', '2026-11-30.ndjson'),
    [JSON.stringify({ q: '你们卖咖啡吗', lang: 'zh', at: '2026-11-30T03:00:00.000Z' }), JSON.stringify({ q: 'what about my parrot', lang: 'en', at: '2026-11-30T04:00:00.000Z' })].join('\n') + '\n',
  )
  return { ids: [...october, ...november, inquiry].map((r) => r.id), closed: closed.id, purged: purged.id, journaled: journaled.id }
}

/** Every file under `dir` with its bytes, and every directory. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name)
    out[path.relative(dir, file)] = entry.isDirectory() ? '<dir>' : (await readFile(file)).toString('base64')
  }
  return out
}

/**
 * What the file stores themselves make of DATA_DIR: a copy is opened with openStorage (which replays
 * the journals and compacts them) and read back.
 */
async function asTheFileStoresReadIt(dataDir: string): Promise<{ requests: RightsRequest[]; kv: Record<string, Record<string, { value: unknown; updatedAt: string }>> }> {
  const copy = `${dataDir}-copy`
  await cp(dataDir, copy, { recursive: true })
  const storage = await openStorage({ dataDir: copy, clock: new TestClock(), logger: silentLogger() })
  const requests = await storage.requests.list()
  for (const name of KEYED_STORES) await storage.keyed(name)
  await storage.close()
  const kv: Record<string, Record<string, { value: unknown; updatedAt: string }>> = {}
  for (const name of NAMESPACES) {
    const text = await readFile(path.join(copy, `${name}.json`), 'utf8').catch(() => '{"entries":{}}')
    kv[name] = (JSON.parse(text) as { entries: Record<string, { value: unknown; updatedAt: string }> }).entries
  }
  return { requests, kv }
}

const counts = (requests: number, kv: Record<string, number>, alreadyThere = false) =>
  [['requests', requests] as const, ...NAMESPACES.map((n) => [n, kv[n] ?? 0] as const), ['outbox', kv.outbox ?? 0] as const, ['unanswered', kv.unanswered ?? 0] as const].map(([store, n]) => ({
    store,
    copied: alreadyThere ? 0 : n,
    alreadyThere: alreadyThere ? n : 0,
  }))

describe('importDataDir', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  let db: { url: string; drop: () => Promise<void> }
  let pool: pg.Pool

  beforeEach(async () => {
    ;({ dataDir, cleanup } = await tempDataDir())
    db = await createTestDatabase()
    pool = new pg.Pool({ connectionString: db.url, max: 2 })
  })
  afterEach(async () => {
    await pool.end()
    await db.drop()
    await cleanup()
  })

  const kvRows = async (namespace: string) =>
    (await pool.query<{ key: string; value: unknown; updated_at: Date }>('SELECT key, value, updated_at FROM kv WHERE namespace = $1 ORDER BY key', [namespace])).rows
  const repository = () => new PostgresRequestRepository({ pool, clock: new TestClock(), logger: silentLogger() })

  it('copies every request, conversation and keyed store as the file stores read them, ids and audit trails unchanged', async () => {
    const built = await buildDataDir(dataDir)
    const result = await importDataDir({ dataDir, pool: db.url })

    const expected = await asTheFileStoresReadIt(dataDir)
    expect(expected.requests.map((r) => r.id).sort()).toEqual([...built.ids].sort())
    expect(await repository().list()).toEqual(expected.requests)
    expect(Object.keys(expected.kv.conversations!).sort()).toEqual(['wechat-oa:u1', 'wechat-oa:u8'])
    for (const namespace of NAMESPACES) {
      const rows = await kvRows(namespace)
      const entries = Object.entries(expected.kv[namespace]!).sort(([a], [b]) => (a < b ? -1 : 1))
      expect(entries.length, namespace).toBeGreaterThan(0)
      expect(rows, namespace).toEqual(entries.map(([key, e]) => ({ key, value: e.value, updated_at: new Date(e.updatedAt) })))
    }

    expect(result.dataDir).toBe(dataDir)
    expect(result.migrationsApplied.length).toBeGreaterThan(0)
    expect(result.stores).toEqual(counts(built.ids.length, { conversations: 2, preferences: 2, 'held-notices': 1, 'console-sessions': 1, 'sent-messages': 1, outbox: 1, unanswered: 2 }))
    expect(result.notCopied).toEqual([])
    expect(result.tornJournals).toEqual(['conversations.journal'])
    // The waiting message belongs to no live replica: the elected one adopts and sends it.
    const outbox = new pg.Client({ connectionString: db.url })
    await outbox.connect()
    expect((await outbox.query('SELECT owner, item FROM outbox')).rows).toEqual([{ owner: 'imported', item: expect.objectContaining({ text: '您的申请已处理', attempts: 1 }) }])
    await outbox.end()
  })

  it('keeps a request closed or purged in the files closed or purged, with the journal’s last change applied', async () => {
    const built = await buildDataDir(dataDir)
    await importDataDir({ dataDir, pool: db.url })
    const repo = repository()
    const purged = await repo.get(built.purged)
    expect(purged).toMatchObject({ state: 'closed', closedAt: '2026-10-16T02:00:00.000Z', personal: null })
    expect(purged?.purgedAt).toBeDefined()
    expect(purged?.audit.map((a) => a.action)).toEqual(['created', 'closed', 'purged'])
    const closed = await repo.get(built.closed)
    expect(closed).toMatchObject({ state: 'closed', closedAt: '2026-11-30T02:00:00.000Z', personal: { name: 'Li Si' } })
    expect(closed?.purgedAt).toBeUndefined()
    const journaled = await repo.get(built.journaled)
    expect(journaled).toMatchObject({ state: 'verified', verifiedAt: '2026-12-01T02:00:00.000Z' })
    expect(journaled?.audit.at(-1)).toEqual({ at: '2026-12-01T02:00:00.000Z', actor: 'staff:s3', action: 'verified' })
    // The indexed columns agree with the records.
    const { rows } = await pool.query<{ id: string; state: string; closed_at: Date | null; purged_at: Date | null }>('SELECT id, state, closed_at, purged_at FROM requests WHERE id = ANY($1)', [[built.purged, built.closed]])
    expect(rows.find((r) => r.id === built.purged)).toMatchObject({ state: 'closed', closed_at: new Date('2026-10-16T02:00:00Z'), purged_at: new Date(purged!.purgedAt!) })
    expect(rows.find((r) => r.id === built.closed)).toMatchObject({ state: 'closed', purged_at: null })
  })

  it('leaves every file in DATA_DIR byte for byte as it was, journals and their torn line included', async () => {
    await buildDataDir(dataDir)
    const before = await snapshot(dataDir)
    expect(Buffer.from(before['conversations.journal']!, 'base64').length).toBeGreaterThan(0)
    expect(Buffer.from(before[path.join('requests', 'journal.ndjson')]!, 'base64').length).toBeGreaterThan(0)
    await importDataDir({ dataDir, pool: db.url })
    expect(await snapshot(dataDir)).toEqual(before)
  })

  it('copies nothing the second time and reports everything as already there', async () => {
    const built = await buildDataDir(dataDir)
    await importDataDir({ dataDir, pool })
    const { rows: before } = await pool.query('SELECT namespace, key, value, updated_at FROM kv ORDER BY namespace, key')
    const again = await importDataDir({ dataDir, pool })
    expect(again.migrationsApplied).toEqual([])
    expect(again.stores).toEqual(counts(built.ids.length, { conversations: 2, preferences: 2, 'held-notices': 1, 'console-sessions': 1, 'sent-messages': 1, outbox: 1, unanswered: 2 }, true))
    expect((await pool.query('SELECT namespace, key, value, updated_at FROM kv ORDER BY namespace, key')).rows).toEqual(before)
    // A pool passed in stays open for its owner.
    expect((await pool.query('SELECT count(*)::int AS n FROM requests')).rows[0]).toEqual({ n: built.ids.length })
  })

  it('never overwrites a row the database already has', async () => {
    const built = await buildDataDir(dataDir)
    await migrate(pool)
    // The database is already live: one of the requests was changed there, a preference set there.
    const [fromFiles] = (await asTheFileStoresReadIt(dataDir)).requests.filter((r) => r.id === built.closed)
    const { closedAt: _, ...open } = fromFiles!
    const live: RightsRequest = { ...open, state: 'replied', replies: [{ at: '2026-12-02T00:00:00.000Z', by: 'staff:s9' }] }
    expect(await repository().importRecords([live])).toBe(1)
    await pool.query(`INSERT INTO kv (namespace, key, value, updated_at) VALUES ('preferences', 'wechat-oa:u1', '{"live": true}', '2026-12-02T00:00:00Z')`)

    const result = await importDataDir({ dataDir, pool: db.url })
    expect(result.stores.find((s) => s.store === 'requests')).toEqual({ store: 'requests', copied: built.ids.length - 1, alreadyThere: 1 })
    expect(result.stores.find((s) => s.store === 'preferences')).toEqual({ store: 'preferences', copied: 1, alreadyThere: 1 })
    expect(await repository().get(built.closed)).toEqual(live)
    expect(await kvRows('preferences')).toContainEqual({ key: 'wechat-oa:u1', value: { live: true }, updated_at: new Date('2026-12-02T00:00:00Z') })
  })

  it('refuses a DATA_DIR a running service holds, touching neither it nor the database', async () => {
    await buildDataDir(dataDir)
    const running = await openStorage({ dataDir, clock: new TestClock(), logger: silentLogger() })
    try {
      await expect(importDataDir({ dataDir, pool: db.url })).rejects.toThrow(DataDirLockedError)
      expect((await pool.query(`SELECT to_regclass('public.requests') AS t`)).rows[0]).toEqual({ t: null })
    } finally {
      await running.close()
    }
    // Once the service has stopped, the import goes ahead.
    expect((await importDataDir({ dataDir, pool: db.url })).stores[0]?.copied).toBeGreaterThan(0)
  })

  it('rolls every row back when the database refuses one, and names no data', async () => {
    const built = await buildDataDir(dataDir)
    const shard = path.join(dataDir, 'requests', '2026-11.json')
    const data = JSON.parse(await readFile(shard, 'utf8')) as { requests: Record<string, { createdAt: string }> }
    data.requests[built.closed]!.createdAt = 'the day Zhang San wrote'
    await writeFile(shard, JSON.stringify(data))

    const error = await importDataDir({ dataDir, pool: db.url }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ImportRefusedError)
    expect((error as ImportRefusedError).code).toBe('22007')
    expect((error as Error).message).not.toMatch(/Zhang/)
    // The kv rows went in before the requests: they were rolled back with them.
    expect((await pool.query('SELECT (SELECT count(*) FROM kv)::int AS kv, (SELECT count(*) FROM requests)::int AS requests')).rows[0]).toEqual({ kv: 0, requests: 0 })
  })

  it('counts a missing store as 0 and names what it leaves in DATA_DIR', async () => {
    await mkdir(path.join(dataDir, 'unanswered'), { recursive: true })
    await writeFile(path.join(dataDir, 'outbox.json'), '{"version":1,"items":{}}')
    await writeFile(path.join(dataDir, 'wechaty.memory-card.json'), '{}')
    await writeFile(path.join(dataDir, '.preferences.json.0123abcd.tmp'), '{"ver')
    const result = await importDataDir({ dataDir, pool: db.url })
    expect(result.stores).toEqual(counts(0, {}))
    expect(result.notCopied).toEqual(['wechaty.memory-card.json'])
    expect(result.tornJournals).toEqual([])
    // A temp file of an interrupted write is not the import's to clean up.
    expect(await readdir(dataDir)).toContain('.preferences.json.0123abcd.tmp')
  })

  it('refuses what the service would refuse to open, naming the file', async () => {
    await buildDataDir(dataDir)
    const journal = path.join(dataDir, 'conversations.journal')
    await writeFile(journal, `not json\n${JSON.stringify({ k: 'wechat-oa:u1', d: 1 })}\n`)
    await expect(importDataDir({ dataDir, pool: db.url })).rejects.toThrow(CorruptStoreError)
    await expect(importDataDir({ dataDir, pool: db.url })).rejects.toThrow(journal)
    await writeFile(journal, '')
    await writeFile(path.join(dataDir, 'preferences.json'), '{"version":1,"entries":{"wechat-oa:u1":{"value":{}}}}')
    await expect(importDataDir({ dataDir, pool: db.url })).rejects.toThrow(/preferences\.json is unreadable \(unexpected structure\)/)
    expect((await pool.query('SELECT (SELECT count(*) FROM kv)::int AS kv, (SELECT count(*) FROM requests)::int AS requests')).rows[0]).toEqual({ kv: 0, requests: 0 })
  })
})

describe('npm run import', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  let db: { url: string; drop: () => Promise<void> }

  beforeEach(async () => {
    ;({ dataDir, cleanup } = await tempDataDir())
    db = await createTestDatabase()
  })
  afterEach(async () => {
    await db.drop()
    await cleanup()
  })

  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('npx', ['tsx', 'src/cli/import.ts', ...args], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'development', DATABASE_URL: '', ...env } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      )
    })

  it('prints counts per store, nothing personal, and exits 0; twice copies nothing more', { timeout: 60_000 }, async () => {
    const built = await buildDataDir(dataDir)
    const first = await run([dataDir], { DATABASE_URL: db.url })
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(new RegExp(`^Imported ${dataDir} into PostgreSQL\\.\\nSchema: applied \\d+ migration\\(s\\) first\\.\\n`))
    expect(first.stdout).toContain(
      [
        `  requests: ${built.ids.length} copied, 0 already there`,
        '  conversations: 2 copied, 0 already there',
        '  preferences: 2 copied, 0 already there',
        '  held-notices: 1 copied, 0 already there',
        '  console-sessions: 1 copied, 0 already there',
        '  sent-messages: 1 copied, 0 already there',
        '  outbox: 1 copied, 0 already there',
        '  unanswered: 2 copied, 0 already there',
        'Note: conversations.journal ends in a torn, never acknowledged line; it was skipped, as the service skips it.',
        'DATA_DIR was not modified.',
      ].join('\n'),
    )
    const second = await run([dataDir], { DATABASE_URL: db.url })
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('Schema: up to date.')
    expect(second.stdout).toContain(`  requests: 0 copied, ${built.ids.length} already there`)
    expect(second.stdout).toContain('  conversations: 0 copied, 2 already there')
    for (const text of PERSONAL) expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(text)
  })

  it('exits 1 with one line for each configuration error', { timeout: 60_000 }, async () => {
    await buildDataDir(dataDir)
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    const free = `${dataDir}-free`
    await mkdir(free)
    const running = await openStorage({ dataDir, clock: new TestClock(), logger: silentLogger() })
    let results
    try {
      results = await Promise.all([
        run([dataDir], {}),
        run([], { DATABASE_URL: db.url }),
        run([path.join(dataDir, 'nowhere')], { DATABASE_URL: db.url }),
        run([dataDir], { DATABASE_URL: db.url }),
        run([free], { DATABASE_URL: `postgres://jiku:secret@127.0.0.1:${closedPort}/jiku` }),
      ])
    } finally {
      await running.close()
    }
    // The unreachable database is tried on a DATA_DIR no service holds.
    const [missingUrl, noArgument, noDataDir, locked] = results
    for (const r of results) {
      expect(r.code, r.stderr).toBe(1)
      expect(r.stdout).toBe('')
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1)
      expect(r.stderr).not.toContain('secret')
    }
    expect(missingUrl!.stderr).toMatch(/^Configuration error: DATABASE_URL is required/)
    expect(noArgument!.stderr).toMatch(/^Usage: npm run import -- <DATA_DIR>/)
    expect(noDataDir!.stderr).toMatch(/^Cannot import from .*nowhere: no such file or directory \(ENOENT\)/)
    expect(locked!.stderr).toMatch(new RegExp(`^DATA_DIR ${dataDir} is in use by process ${process.pid}`))
    expect(results[4]!.stderr).toMatch(/^Storage postgres is temporarily unavailable \(ECONNREFUSED\)/)
    // Nothing reached the database.
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    try {
      expect((await client.query(`SELECT to_regclass('public.requests') AS t`)).rows[0]).toEqual({ t: null })
    } finally {
      await client.end()
    }
  })
})
