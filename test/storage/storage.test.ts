import { chmod, open as fsOpen, mkdir, readdir, readFile, stat, writeFile, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { Duration } from 'luxon'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger, silentLogger } from '../../src/log.js'
import type { NewRequest } from '../../src/requests/model.js'
import { CorruptStoreError } from '../../src/storage/errors.js'
import { personKey } from '../../src/person-key.js'
import { FileRequestRepository } from '../../src/storage/file-request-repository.js'
import { openStorage } from '../../src/storage/open.js'
import { TestClock } from '../support/test-clock.js'
import { tempDataDir } from '../support/temp-data-dir.js'

const req = (userId: string): NewRequest => ({
  kind: 'rights',
  type: 'access',
  channel: 'wechat-oa',
  userId,
  personal: { name: 'Zhang San', email: 'zhangsan@example.com', phone: '13800000000' },
})

describe('openStorage on disk', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  let clock: TestClock
  const open = <C = unknown>() => openStorage<C>({ dataDir, clock, logger: silentLogger() })

  beforeEach(async () => {
    ;({ dataDir, cleanup } = await tempDataDir())
    clock = new TestClock(new Date('2026-11-29T17:00:00Z'))
  })
  afterEach(async () => cleanup())

  it('creates DATA_DIR 0700 and store files 0600, shards by Shanghai creation month', async () => {
    const s = await open()
    const r = await s.requests.create(req('u1'))
    await s.conversations.set('wechat-oa:u1', { step: 'ask-email' })
    await s.preferences.set('wechat-oa:u1', { marketingOptOut: { optedOutAt: clock.now().toISOString() } })
    await s.close()
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
    expect((await stat(path.join(dataDir, 'requests'))).mode & 0o777).toBe(0o700)
    expect((await readdir(path.join(dataDir, 'requests'))).sort()).toEqual(['2026-11.json', 'journal.ndjson'])
    for (const f of ['requests/2026-11.json', 'requests/journal.ndjson', 'conversations.json', 'conversations.journal', 'preferences.json']) {
      expect((await stat(path.join(dataDir, f))).mode & 0o777, f).toBe(0o600)
    }
    clock.set('2026-11-30T16:30:00Z') // 2026-12-01 00:30 in Shanghai
    const s2 = await open()
    const r2 = await s2.requests.create(req('u1'))
    expect(r2.id).toMatch(/^PR-20261201-/)
    expect((await s2.requests.listByUser('wechat-oa', 'u1')).map((x) => x.id)).toEqual([r.id, r2.id])
    await s2.close()
    expect((await readdir(path.join(dataDir, 'requests'))).sort()).toEqual(['2026-11.json', '2026-12.json', 'journal.ndjson'])
  })

  it('keeps all of 100 concurrent creates after reopening', async () => {
    const s = await open()
    const created = await Promise.all(Array.from({ length: 100 }, (_, i) => s.requests.create(req(`u${i % 7}`))))
    await s.close()
    const s2 = await open()
    for (const r of created) expect(await s2.requests.get(r.id)).toEqual(r)
    expect(await s2.requests.list()).toHaveLength(100)
    expect(await s2.requests.countOpenByUser('wechat-oa', 'u0')).toBe(15)
    await s2.close()
  })

  it('persists updates with their audit entries', async () => {
    const s = await open()
    const r = await s.requests.create(req('u1'))
    await s.requests.update(r.id, { state: 'verified', verifiedAt: clock.now().toISOString() }, { actor: 'staff:s1', action: 'verified' })
    await s.close()
    const s2 = await open()
    expect((await s2.requests.get(r.id))?.audit.map((a) => `${a.actor}/${a.action}`)).toEqual(['user/created', 'staff:s1/verified'])
    await s2.close()
  })

  it('stores a change as one journal line; a checkpoint rewrites only the shards that changed', async () => {
    const journal = path.join(dataDir, 'requests', 'journal.ndjson')
    const s = await open()
    const old = await s.requests.create(req('u1'))
    await s.close()
    expect(await readFile(journal, 'utf8')).toBe('') // the close checkpointed it into 2026-11.json
    const oldShard = path.join(dataDir, 'requests', '2026-11.json')
    const before = await readFile(oldShard, 'utf8')
    const beforeMtime = (await stat(oldShard)).mtimeMs

    clock.set('2027-02-10T00:00:00Z')
    const s2 = await open()
    const fresh = await s2.requests.create(req('u2'))
    // Acknowledged means in the journal, on disk, before any shard is touched.
    const lines = (await readFile(journal, 'utf8')).trim().split('\n')
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([fresh.id])
    await s2.close()
    expect((await stat(oldShard)).mtimeMs).toBe(beforeMtime)
    expect(await readFile(oldShard, 'utf8')).toBe(before)
    expect(await readFile(path.join(dataDir, 'requests', '2027-02.json'), 'utf8')).toContain(fresh.id)

    const s3 = await open()
    await s3.requests.update(old.id, { state: 'closed' }, { actor: 'staff:s1', action: 'closed' })
    await s3.close()
    expect(await readFile(oldShard, 'utf8')).toContain('"closed"')
  })

  it('replays an acknowledged change that never reached a shard, ignoring a torn last line', async () => {
    const dir = path.join(dataDir, 'requests')
    const crashed = await FileRequestRepository.open({ dir, clock, logger: silentLogger() })
    const filed = await crashed.create(req('u1'))
    const verified = await crashed.update(filed.id, { state: 'verified', verifiedAt: clock.now().toISOString() }, { actor: 'staff:s1', action: 'verified' })
    // No close, as after SIGKILL: the shard files do not have it, the journal does (plus half a line).
    const journal = path.join(dir, 'journal.ndjson')
    await writeFile(journal, `${await readFile(journal, 'utf8')}{"id":"PR-2026`)
    const reopened = await FileRequestRepository.open({ dir, clock, logger: silentLogger() })
    expect(await reopened.get(filed.id)).toEqual(verified)
    expect(await reopened.list()).toHaveLength(1)
    expect(await readFile(journal, 'utf8')).toBe('')
    await reopened.close()
  })

  it('refuses a journal damaged before its last line, naming it and leaving it untouched', async () => {
    const dir = path.join(dataDir, 'requests')
    const repo = await FileRequestRepository.open({ dir, clock, logger: silentLogger() })
    await repo.create(req('u1'))
    const journal = path.join(dir, 'journal.ndjson')
    const damaged = `not json\n${await readFile(journal, 'utf8')}`
    await writeFile(journal, damaged)
    const err = await FileRequestRepository.open({ dir, clock, logger: silentLogger() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CorruptStoreError)
    expect((err as CorruptStoreError).file).toBe(journal)
    expect(await readFile(journal, 'utf8')).toBe(damaged)
  })

  it('checkpoints when the journal passes its size, while filing goes on', async () => {
    const dir = path.join(dataDir, 'requests')
    const repo = await FileRequestRepository.open({ dir, clock, logger: silentLogger(), checkpointBytes: 4096 })
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => repo.create(req(`u${i}`))))
    await repo.create(req('last'))
    expect((await readFile(path.join(dir, 'journal.ndjson'), 'utf8')).length).toBeLessThan(4096 + 4096)
    const shard = JSON.parse(await readFile(path.join(dir, '2026-11.json'), 'utf8')) as { requests: Record<string, unknown> }
    expect(Object.keys(shard.requests).length).toBeGreaterThan(0)
    await repo.close()
    const reopened = await FileRequestRepository.open({ dir, clock, logger: silentLogger() })
    for (const r of created) expect(await reopened.get(r.id)).toEqual(r)
    await reopened.close()
  })

  it('splits a busy month into parts of bounded size, and files into the last part', async () => {
    const repo = await FileRequestRepository.open({ dir: path.join(dataDir, 'requests'), clock, logger: silentLogger(), shardCapacity: 3 })
    const first = await Promise.all(Array.from({ length: 7 }, (_, i) => repo.create(req(`u${i}`))))
    await repo.close()
    const dir = path.join(dataDir, 'requests')
    expect((await readdir(dir)).sort()).toEqual(['2026-11.2.json', '2026-11.3.json', '2026-11.json', 'journal.ndjson'])
    const part1 = await readFile(path.join(dir, '2026-11.json'), 'utf8')
    const reopened = await FileRequestRepository.open({ dir, clock, logger: silentLogger(), shardCapacity: 3 })
    for (const r of first) expect(await reopened.get(r.id)).toEqual(r)
    const next = await reopened.create(req('u9'))
    // Updating a record changes the part that holds it, nothing else.
    await reopened.update(first[0]!.id, { state: 'closed' }, { actor: 'staff:s1', action: 'closed' })
    await reopened.close()
    const part3 = JSON.parse(await readFile(path.join(dir, '2026-11.3.json'), 'utf8')) as { requests: Record<string, unknown> }
    expect(Object.keys(part3.requests)).toHaveLength(2)
    expect(part3.requests[next.id]).toBeDefined()
    expect((await readdir(dir)).sort()).toEqual(['2026-11.2.json', '2026-11.3.json', '2026-11.json', 'journal.ndjson'])
    expect(await readFile(path.join(dir, '2026-11.json'), 'utf8')).not.toBe(part1)
  })

  it('purge removes personal data from the file on disk', async () => {
    const s = await open()
    const r = await s.requests.create(req('u1'))
    await s.requests.update(r.id, (d) => void d.replies.push({ at: clock.now().toISOString(), by: 'staff:s1', text: 'secret reply' }), { actor: 'staff:s1', action: 'replied' })
    await s.requests.update(r.id, { state: 'closed' }, { actor: 'staff:s1', action: 'closed' })
    expect(await s.requests.purgeExpired(new Date('2028-01-01T00:00:00Z'), Duration.fromISO('P1Y'))).toBe(1)
    // Gone from every file at once, the journal included, not only after the next restart.
    const dir = path.join(dataDir, 'requests')
    for (const name of await readdir(dir)) {
      const text = await readFile(path.join(dir, name), 'utf8')
      for (const secret of ['Zhang San', 'zhangsan@example.com', '13800000000', 'secret reply']) expect(text, name).not.toContain(secret)
    }
    await s.close()
    const s2 = await open()
    const purged = await s2.requests.get(r.id)
    expect(purged?.personal).toBeNull()
    expect(purged?.audit.at(-1)).toMatchObject({ actor: 'system', action: 'purged' })
    expect(await s2.requests.purgeExpired(new Date('2028-01-01T00:00:00Z'), Duration.fromISO('P1Y'))).toBe(0)
    await s2.close()
  })

  it.each([
    ['requests/2026-11.json', '{"version":1,"requests":{"PR-20261130-AAAAAA":{"id":"PR-2026'],
    ['requests/2026-11.json', '{"version":1,"requests":{"PR-20261130-AAAAAA":{"id":"PR-20261130-AAAAAA"}}}'],
    ['requests/2026-10.json', ''],
    ['conversations.json', '{"version":1,"entr'],
    ['conversations.journal', '{"k":"a","v":1,"t":"2026-11-29T00:00:00Z"}\nnot json\n{"k":"b","d":1}\n'],
    ['preferences.json', 'null'],
  ])('refuses to open with a corrupt %s, naming it and leaving its bytes untouched', async (rel, content) => {
    const file = path.join(dataDir, rel)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, content)
    const err = await open().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CorruptStoreError)
    expect((err as CorruptStoreError).file).toBe(file)
    expect(await readFile(file, 'utf8')).toBe(content)
  })

  it('refuses a request id present in two shards', async () => {
    const s = await open()
    const r = await s.requests.create(req('u1'))
    await s.close()
    const shard = await readFile(path.join(dataDir, 'requests', '2026-11.json'), 'utf8')
    const copy = path.join(dataDir, 'requests', '2026-10.json')
    await writeFile(copy, shard)
    const err = await open().catch((e: unknown) => e)
    // The copy is blamed, not the original: November's request has no business in October's file.
    expect(err).toBeInstanceOf(CorruptStoreError)
    expect((err as CorruptStoreError).file).toBe(copy)
    expect((err as Error).message).toContain(r.id)
    expect((err as Error).message).toContain(path.join(dataDir, 'requests', '2026-11.json'))
  })

  it('names both files when two parts of one month hold the same request', async () => {
    const s = await open()
    const r = await s.requests.create(req('u1'))
    await s.close()
    const shard = await readFile(path.join(dataDir, 'requests', '2026-11.json'), 'utf8')
    await writeFile(path.join(dataDir, 'requests', '2026-11.2.json'), shard)
    const err = await open().catch((e: unknown) => e)
    expect((err as Error).message).toContain(r.id)
    expect((err as Error).message).toContain('2026-11.json')
    expect((err as Error).message).toContain('2026-11.2.json')
  })

  it('conversation and preference stores round-trip and stay bounded', async () => {
    const s = await open<{ step: string }>()
    const key = personKey({ channel: 'wechat-oa', userId: 'u1' })
    expect(key).toBe('wechat-oa:u1')
    await s.conversations.set(key, { step: 'a' })
    clock.advance(3600_000)
    await s.conversations.set('wechat-oa:u2', { step: 'b' })
    expect(await s.conversations.get(key)).toEqual({ step: 'a' })
    expect(await s.conversations.deleteIdleSince(new Date(clock.now().getTime() - 1800_000))).toBe(1)
    expect(await s.conversations.delete('wechat-oa:u2')).toBe(true)
    expect(await s.conversations.delete('wechat-oa:u2')).toBe(false)
    await s.conversations.set('wechat-oa:u3', { step: 'c' })
    await s.preferences.set(key, { unsubscribed: { at: clock.now().toISOString() } })
    await s.close()
    const s2 = await open<{ step: string }>()
    expect(await s2.conversations.get('wechat-oa:u2')).toBeUndefined()
    expect(await s2.conversations.get('wechat-oa:u3')).toEqual({ step: 'c' })
    expect(await s2.preferences.get(key)).toEqual({ unsubscribed: { at: clock.now().toISOString() } })
    expect(await s2.preferences.get('wechat-oa:nobody')).toBeUndefined()
    await s2.close()
  })
})

describe('write failures', () => {
  it('a create that could not be written does not exist afterwards', async () => {
    const { dataDir, cleanup } = await tempDataDir()
    const clock = new TestClock(new Date('2026-11-29T17:00:00Z'))
    // A disk that refuses writes (ENOSPC) once the journal is open.
    const openJournal = async (file: string): Promise<FileHandle> => {
      const handle = await fsOpen(file, 'a')
      return new Proxy(handle, {
        get: (target, prop) =>
          prop === 'write' ? () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })) : Reflect.get(target, prop, target),
      })
    }
    const dir = path.join(dataDir, 'requests')
    const s = await FileRequestRepository.open({ dir, clock, logger: silentLogger(), openJournal })
    await expect(s.create(req('u1'))).rejects.toThrow(/ENOSPC/)
    expect(await s.list()).toEqual([])
    expect(await s.countOpenByUser('wechat-oa', 'u1')).toBe(0)
    await s.close()
    const reopened = await FileRequestRepository.open({ dir, clock, logger: silentLogger() })
    expect(await reopened.list()).toEqual([])
    await reopened.close()
    await cleanup()
  })
})

describe('an existing DATA_DIR', () => {
  it('is used as is, with a warning when other users can read it', async () => {
    const { root, cleanup } = await tempDataDir()
    await chmod(root, 0o755)
    const lines: string[] = []
    const logger = createLogger({ destination: { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream })
    const s = await openStorage({ dataDir: root, clock: new TestClock(new Date()), logger })
    await s.close()
    expect((await stat(root)).mode & 0o777).toBe(0o755)
    expect(lines.some((l) => l.includes('DATA_DIR is accessible'))).toBe(true)
    await cleanup()
  })
})
