import path from 'node:path'
import { Low } from 'lowdb'
import type { KeyValueStore } from '../assistant/stores.js'
import type { Clock } from '../clock.js'
import { StoreClosedError } from './errors.js'
import { ensureDir } from './fs-utils.js'
import type { StorageHealth } from './health.js'
import { AtomicJsonFile } from './json-file.js'


interface Entry<T> {
  value: T
  updatedAt: string
}

interface KvData<T> {
  version: 1
  entries: Record<string, Entry<T>>
}

function isKvData(value: unknown): value is KvData<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<KvData<unknown>>
  if (v.version !== 1 || typeof v.entries !== 'object' || v.entries === null || Array.isArray(v.entries)) return false
  return Object.values(v.entries).every(
    (e) => typeof e === 'object' && e !== null && 'value' in e && typeof (e as Entry<unknown>).updatedAt === 'string',
  )
}

/**
 * A KeyValueStore in one lowdb JSON file, written atomically on every change. Each write rewrites
 * the whole file, so keep what it holds bounded (active conversations, per-user flags).
 */
export class JsonKeyValueStore<T> implements KeyValueStore<T> {
  readonly #adapter: AtomicJsonFile<KvData<T>>
  readonly #db: Low<KvData<T>>
  readonly #clock: Clock
  #closed = false

  private constructor(file: string, clock: Clock, fsync: boolean, health: StorageHealth | undefined) {
    this.#adapter = new AtomicJsonFile<KvData<T>>(file, { validate: isKvData as (v: unknown) => v is KvData<T>, fsync, health })
    this.#db = new Low<KvData<T>>(this.#adapter, { version: 1, entries: {} })
    this.#clock = clock
  }

  /** Reads the file (missing = empty); throws CorruptStoreError for an unreadable one and writes nothing. */
  static async open<T>(file: string, clock: Clock, options: { fsync?: boolean; health?: StorageHealth } = {}): Promise<JsonKeyValueStore<T>> {
    await ensureDir(path.dirname(file))
    const store = new JsonKeyValueStore<T>(file, clock, options.fsync ?? true, options.health)
    await store.#db.read()
    return store
  }

  get file(): string {
    return this.#adapter.file
  }

  async get(key: string): Promise<T | undefined> {
    const entry = this.#entries()[key]
    return entry === undefined ? undefined : structuredClone(entry.value)
  }

  async set(key: string, value: T): Promise<void> {
    this.#assertOpen()
    const entries = this.#entries()
    const before = entries[key]
    const after: Entry<T> = { value: structuredClone(value), updatedAt: this.#clock.now().toISOString() }
    entries[key] = after
    await this.#write(() => {
      if (entries[key] !== after) return
      if (before) entries[key] = before
      else delete entries[key]
    })
  }

  async delete(key: string): Promise<boolean> {
    this.#assertOpen()
    const entries = this.#entries()
    const before = entries[key]
    if (!before) return false
    delete entries[key]
    await this.#write(() => {
      if (!(key in entries)) entries[key] = before
    })
    return true
  }

  size(): number {
    return Object.keys(this.#entries()).length
  }

  /** Removes entries last set before `cutoff` in one write; returns how many. */
  async deleteIdleSince(cutoff: Date): Promise<number> {
    this.#assertOpen()
    const entries = this.#entries()
    const limit = cutoff.getTime()
    const removed = Object.entries(entries).filter(([, e]) => Date.parse(e.updatedAt) < limit)
    if (removed.length === 0) return 0
    for (const [key] of removed) delete entries[key]
    await this.#write(() => {
      for (const [key, e] of removed) if (!(key in entries)) entries[key] = e
    })
    return removed.length
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#adapter.flush()
  }

  #entries(): Record<string, Entry<T>> {
    return this.#db.data.entries
  }

  /** Writes; on failure undoes the in-memory change so memory keeps matching disk. */
  async #write(undo: () => void): Promise<void> {
    try {
      await this.#db.write()
    } catch (e) {
      undo()
      throw e
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(this.#adapter.file)
  }
}
