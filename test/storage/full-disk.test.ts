import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger, silentLogger } from '../../src/log.js'
import type { NewRequest } from '../../src/requests/model.js'
import { CorruptStoreError, StoreIoError } from '../../src/storage/errors.js'
import { FileRequestRepository } from '../../src/storage/file-request-repository.js'
import { StorageHealthMonitor } from '../../src/storage/health.js'
import { JournaledConversationStore } from '../../src/storage/journaled-store.js'
import { TestClock } from '../support/test-clock.js'
import { tempDataDir } from '../support/temp-data-dir.js'

const req = (userId: string): NewRequest => ({
  kind: 'rights',
  type: 'delete',
  channel: 'wechat-oa',
  userId,
  personal: { name: 'Li Si', email: `${userId}@example.com`, details: {} },
})

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' })
}

/**
 * A disk that fills up on demand, the way a real one does: the write that crosses the limit is
 * short (part of it lands), and the next one fails with ENOSPC.
 */
class FillableDisk {
  full = false
  writes = 0

  async open(file: string): Promise<FileHandle> {
    await (await open(file, 'a', 0o600)).close()
    const handle = await open(file, 'r+')
    const disk = this
    return new Proxy(handle, {
      get(target, prop, receiver) {
        if (prop === 'write') {
          return async (buffer: Buffer, offset: number, length: number, position: number) => {
            disk.writes++
            if (!disk.full) return target.write(buffer, offset, length, position)
            if (length > 1) {
              // Half of it reaches the file; the caller must not count the rest as written.
              const half = Math.floor(length / 2)
              const r = await target.write(buffer, offset, half, position)
              disk.pendingFailure = true
              return r
            }
            throw enospc()
          }
        }
        if (prop === 'datasync' && disk.full && disk.pendingFailure) {
          return async () => {
            disk.pendingFailure = false
            throw enospc()
          }
        }
        const value: unknown = Reflect.get(target, prop, receiver)
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      },
    })
  }

  pendingFailure = false
}

describe('a full disk under the request journal', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  const clock = new TestClock(new Date('2026-11-29T17:00:00Z'))

  beforeEach(async () => {
    ;({ dataDir, cleanup } = await tempDataDir())
  })
  afterEach(async () => cleanup())

  it('never confirms a short write, keeps the journal free of torn records, and recovers without a restart', async () => {
    const disk = new FillableDisk()
    const health = new StorageHealthMonitor(silentLogger(), { retryMs: 60_000 })
    const dir = path.join(dataDir, 'requests')
    const journal = path.join(dir, 'journal.ndjson')
    const repo = await FileRequestRepository.open({ dir, clock, logger: silentLogger(), health, openJournal: (f) => disk.open(f) })

    const confirmed: string[] = []
    for (let i = 0; i < 5; i++) confirmed.push((await repo.create(req(`before${i}`))).id)

    disk.full = true
    const failed = await repo.create(req('while-full')).catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(StoreIoError)
    expect((failed as StoreIoError).code).toBe('ENOSPC')
    expect((failed as StoreIoError).file).toBe(journal)
    expect(health.status()).toMatchObject({ ok: false, code: 'ENOSPC' })
    // Not stored means not there: the person is told to try again, and nothing half-exists.
    expect(await repo.list()).toHaveLength(5)
    // The part of the record that reached the file was cut off again.
    const whileFull = await readFile(journal, 'utf8')
    expect(whileFull.endsWith('\n')).toBe(true)
    expect(whileFull).not.toContain('\0')
    expect(whileFull.trim().split('\n')).toHaveLength(5)

    disk.full = false
    await health.retryFailed()
    expect(health.status()).toEqual({ ok: true })
    for (let i = 0; i < 3; i++) confirmed.push((await repo.create(req(`after${i}`))).id)

    // A SIGKILL now: no close. Every line parses, and every confirmed request comes back.
    const lines = (await readFile(journal, 'utf8')).split('\n').filter((l) => l.trim() !== '')
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
    const reopened = await FileRequestRepository.open({ dir, clock, logger: silentLogger() })
    expect((await reopened.list()).map((r) => r.id).sort()).toEqual([...confirmed].sort())
    await reopened.close()
  })

  it('cuts a torn or NUL-padded tail at start, warning with the file and the bytes dropped', async () => {
    const dir = path.join(dataDir, 'requests')
    const repo = await FileRequestRepository.open({ dir, clock, logger: silentLogger(), checkpointBytes: 1 << 30 })
    const ids = [(await repo.create(req('a'))).id, (await repo.create(req('b'))).id]
    const journal = path.join(dir, 'journal.ndjson')
    const good = await readFile(journal, 'utf8')
    // What the old short-write bug left behind: half a record, then NUL padding.
    const tail = `{"id":"PR-20261130-ZZZZZZ","kind":"ri${'\0'.repeat(40)}`
    await writeFile(journal, good + tail)

    const lines: string[] = []
    const logger = createLogger({ destination: { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream })
    const reopened = await FileRequestRepository.open({ dir, clock, logger, checkpointBytes: 1 << 30 })
    expect((await reopened.list()).map((r) => r.id).sort()).toEqual(ids.sort())
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'journal.tail_dropped')
    expect(warning).toMatchObject({ file: journal, bytes: Buffer.byteLength(tail) })
    expect(JSON.stringify(warning)).not.toContain('PR-20261130-ZZZZZZ')
    await reopened.close()
  })

  it('refuses a damaged line followed by good ones, naming file and line, and does not advise dropping the file', async () => {
    const dir = path.join(dataDir, 'requests')
    const repo = await FileRequestRepository.open({ dir, clock, logger: silentLogger(), checkpointBytes: 1 << 30 })
    await repo.create(req('a'))
    const journal = path.join(dir, 'journal.ndjson')
    const first = await readFile(journal, 'utf8')
    await repo.create(req('b'))
    const both = await readFile(journal, 'utf8')
    const damaged = `${first}{"id":"PR-2026${'\0'.repeat(10)}\n${both.slice(first.length)}`
    await writeFile(journal, damaged)
    const err = await FileRequestRepository.open({ dir, clock, logger: silentLogger() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CorruptStoreError)
    expect((err as CorruptStoreError).file).toBe(journal)
    expect((err as Error).message).toMatch(/line 2\b/)
    expect((err as Error).message).not.toMatch(/move it aside/)
    expect(await readFile(journal, 'utf8')).toBe(damaged)
  })

  it('a corrupt JSON file is named without quoting its content', async () => {
    const dir = path.join(dataDir, 'requests')
    const repo = await FileRequestRepository.open({ dir, clock, logger: silentLogger() })
    await repo.create(req('a'))
    await repo.close()
    const shard = path.join(dir, '2026-11.json')
    await writeFile(shard, '{"version":1,"requests":{"x":{"name":"王小明 wang@example.com" oops')
    const err = await FileRequestRepository.open({ dir, clock, logger: silentLogger() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CorruptStoreError)
    expect((err as Error).message).toContain(shard)
    expect((err as Error).message).not.toMatch(/王小明|wang@example|oops/)
    expect((err as Error).cause).toBeUndefined()
  })

  it('names a directory standing where a month file should be', async () => {
    const dir = path.join(dataDir, 'requests')
    const { mkdir } = await import('node:fs/promises')
    await mkdir(path.join(dir, '2026-11.json'), { recursive: true })
    const err = await FileRequestRepository.open({ dir, clock, logger: silentLogger() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreIoError)
    expect((err as StoreIoError).code).toBe('EISDIR')
    expect((err as Error).message).toContain(path.join(dir, '2026-11.json'))
  })
})

describe('a full disk under the conversation store', () => {
  it('keeps a conversation going from memory, reports the store unhealthy, and saves it all once the disk accepts data', async () => {
    const { dataDir, cleanup } = await tempDataDir()
    const clock = new TestClock(new Date('2026-11-29T17:00:00Z'))
    const disk = new FillableDisk()
    const health = new StorageHealthMonitor(silentLogger(), { retryMs: 60_000 })
    const file = path.join(dataDir, 'conversations.json')
    const store = await JournaledConversationStore.open<{ step: string }>(file, clock, { health, openJournal: (f) => disk.open(f) })
    await store.set('wechat-oa:u1', { step: 'name' })

    disk.full = true
    // It does not throw: the conversation goes on, from memory.
    await store.set('wechat-oa:u1', { step: 'contact' })
    expect(await store.get('wechat-oa:u1')).toEqual({ step: 'contact' })
    expect(health.status()).toMatchObject({ ok: false, code: 'ENOSPC' })

    disk.full = false
    await health.retryFailed()
    expect(health.status()).toEqual({ ok: true })
    await store.set('wechat-oa:u2', { step: 'name' })
    // As after a SIGKILL: a fresh open sees what was kept in memory while the disk was full.
    const reopened = await JournaledConversationStore.open<{ step: string }>(file, clock)
    expect(await reopened.get('wechat-oa:u1')).toEqual({ step: 'contact' })
    expect(await reopened.get('wechat-oa:u2')).toEqual({ step: 'name' })
    await reopened.close()
    await store.close()
    await cleanup()
  })
})
