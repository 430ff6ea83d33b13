import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CorruptStoreError } from '../../src/storage/errors.js'
import { AtomicJsonFile } from '../../src/storage/json-file.js'
import { tempDataDir } from '../support/temp-data-dir.js'

describe('AtomicJsonFile', () => {
  let dir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ root: dir, cleanup } = await tempDataDir())
  })
  afterEach(async () => cleanup())

  it('returns null for a missing file and writes it with mode 0600, leaving no temp files', async () => {
    const file = path.join(dir, 'a.json')
    const adapter = new AtomicJsonFile<{ n: number }>(file)
    expect(await adapter.read()).toBeNull()
    await adapter.write({ n: 1 })
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ n: 1 })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['a.json'])
    expect(await adapter.read()).toEqual({ n: 1 })
  })

  it('serialises concurrent writes; each resolves only once its own data is on disk', async () => {
    const file = path.join(dir, 'a.json')
    const adapter = new AtomicJsonFile<{ items: number[] }>(file)
    const data = { items: [] as number[] }
    const checks = Array.from({ length: 50 }, async (_, i) => {
      data.items.push(i)
      await adapter.write(data)
      const onDisk = JSON.parse(await readFile(file, 'utf8')) as { items: number[] }
      expect(onDisk.items).toContain(i)
    })
    await Promise.all(checks)
    expect((JSON.parse(await readFile(file, 'utf8')) as { items: number[] }).items).toHaveLength(50)
    expect(await readdir(dir)).toEqual(['a.json'])
  })

  it.each([
    ['empty', ''],
    ['truncated', '{"version":1,"entries":{"a":{"val'],
    ['not JSON', 'hello'],
  ])('throws CorruptStoreError naming the file for %s content and leaves it untouched', async (_label, content) => {
    const file = path.join(dir, 'bad.json')
    await writeFile(file, content)
    const adapter = new AtomicJsonFile<unknown>(file)
    const err = await adapter.read().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CorruptStoreError)
    expect((err as CorruptStoreError).file).toBe(file)
    expect((err as Error).message).toContain(file)
    expect(await readFile(file, 'utf8')).toBe(content)
  })

  it('rejects structurally wrong content through the validator', async () => {
    const file = path.join(dir, 'x.json')
    await writeFile(file, '[1,2]')
    const adapter = new AtomicJsonFile<{ v: 1 }>(file, { validate: (v): v is { v: 1 } => typeof v === 'object' && v !== null && !Array.isArray(v) })
    await expect(adapter.read()).rejects.toThrow(CorruptStoreError)
  })

  it('removes temp files a killed writer left behind', async () => {
    const file = path.join(dir, 'a.json')
    await writeFile(file, '{}')
    await writeFile(path.join(dir, '.a.json.deadbeef.tmp'), '{"half')
    await writeFile(path.join(dir, '.other.json.deadbeef.tmp'), '{"half')
    await new AtomicJsonFile(file).read()
    expect((await readdir(dir)).sort()).toEqual(['.other.json.deadbeef.tmp', 'a.json'])
    // Also when the killed write was the very first one, so the target never existed.
    await writeFile(path.join(dir, '.b.json.cafe.tmp'), '{"half')
    expect(await new AtomicJsonFile(path.join(dir, 'b.json')).read()).toBeNull()
    expect((await readdir(dir)).sort()).toEqual(['.other.json.deadbeef.tmp', 'a.json'])
  })

  it('reports a failed write to its caller and keeps working afterwards', async () => {
    const sub = path.join(dir, 'sub')
    await mkdir(sub)
    const adapter = new AtomicJsonFile<{ n: number }>(path.join(sub, 'a.json'))
    await rm(sub, { recursive: true })
    await expect(adapter.write({ n: 1 })).rejects.toThrow(/ENOENT/)
    await mkdir(sub)
    await adapter.write({ n: 2 })
    expect(await adapter.read()).toEqual({ n: 2 })
  })
})
