import path from 'node:path'
import type { NotifyOptions, Recipient } from '../assistant/notifier.js'
import { ensureDir } from '../storage/fs-utils.js'
import type { StorageHealth } from '../storage/health.js'
import { AtomicJsonFile } from '../storage/json-file.js'

/** The outbox file's name in DATA_DIR (a single process). */
export const OUTBOX_FILE = 'outbox.json'

/** One message waiting to be delivered. */
export interface OutboxItem {
  readonly id: string
  /** Order of arrival: messages to one person go out in this order. */
  readonly seq: number
  readonly to: Recipient
  readonly text: string
  readonly options?: NotifyOptions
  readonly createdAt: string
  /** Failed delivery attempts so far. */
  readonly attempts: number
  /** Error name or platform code of the last failure, for operators. */
  readonly lastError?: string
}

export interface OutboxData {
  version: 1
  items: Record<string, OutboxItem>
}

export function isOutboxData(value: unknown): value is OutboxData {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<OutboxData>
  if (v.version !== 1 || typeof v.items !== 'object' || v.items === null || Array.isArray(v.items)) return false
  return Object.values(v.items).every((item: unknown) => {
    if (typeof item !== 'object' || item === null) return false
    const i = item as Partial<OutboxItem>
    return (
      typeof i.id === 'string' &&
      typeof i.seq === 'number' &&
      typeof i.text === 'string' &&
      typeof i.to?.channel === 'string' &&
      typeof i.to.userId === 'string' &&
      typeof i.createdAt === 'string' &&
      typeof i.attempts === 'number'
    )
  })
}

/**
 * Where the outbox keeps messages until they are delivered or held: a file (one process), or a
 * database table shared by replicas. Reads are from memory and cover this process's messages;
 * every change is durable before it resolves, and rolled back in memory when it could not be.
 */
export interface OutboxItems {
  /** The next sequence number. */
  nextSeq(): number
  /** All items, oldest first (copies). */
  list(): OutboxItem[]
  get(id: string): OutboxItem | undefined
  size(): number
  /** Adds or replaces an item; resolves once it is durable. */
  put(item: OutboxItem): Promise<void>
  /** Removes an item; resolves once the removal is durable. */
  remove(id: string): Promise<void>
  /**
   * Takes over the messages other processes left behind when they died (a shared store only),
   * and returns them; the caller sends them.
   */
  adoptOrphans?(): Promise<OutboxItem[]>
  /** Resolves when no write is queued or in flight. */
  flush(): Promise<void>
  /** Waits for pending writes. */
  close(): Promise<void>
}

/**
 * The outbox file: only messages not yet delivered or held, so it stays as small as what is in
 * flight. Every change is written atomically (mode 0600) before the call resolves; on a failed
 * write the in-memory copy is rolled back so memory keeps matching disk.
 */
export class OutboxStore implements OutboxItems {
  readonly #file: AtomicJsonFile<OutboxData>
  #data: OutboxData = { version: 1, items: {} }
  #seq = 0

  private constructor(file: string, health: StorageHealth | undefined) {
    this.#file = new AtomicJsonFile<OutboxData>(file, { validate: isOutboxData, health })
  }

  /** Reads the file (missing = empty); a corrupt file throws CorruptStoreError and is left untouched. */
  static async open(file: string, health?: StorageHealth): Promise<OutboxStore> {
    await ensureDir(path.dirname(file))
    const store = new OutboxStore(file, health)
    store.#data = (await store.#file.read()) ?? { version: 1, items: {} }
    store.#seq = Math.max(0, ...Object.values(store.#data.items).map((i) => i.seq))
    return store
  }

  get file(): string {
    return this.#file.file
  }

  /** The next sequence number (unique within this file). */
  nextSeq(): number {
    return ++this.#seq
  }

  /** All items, oldest first (copies). */
  list(): OutboxItem[] {
    return Object.values(this.#data.items)
      .sort((a, b) => a.seq - b.seq)
      .map((i) => structuredClone(i))
  }

  get(id: string): OutboxItem | undefined {
    const item = this.#data.items[id]
    return item && structuredClone(item)
  }

  size(): number {
    return Object.keys(this.#data.items).length
  }

  /** Adds or replaces an item; resolves once it is on disk. */
  async put(item: OutboxItem): Promise<void> {
    const { items } = this.#data
    const before = items[item.id]
    const after = structuredClone(item)
    items[item.id] = after
    await this.#write(() => {
      if (items[item.id] !== after) return
      if (before) items[item.id] = before
      else delete items[item.id]
    })
  }

  /** Removes an item; resolves once the removal is on disk. */
  async remove(id: string): Promise<void> {
    const { items } = this.#data
    const before = items[id]
    if (!before) return
    delete items[id]
    await this.#write(() => {
      if (!(id in items)) items[id] = before
    })
  }

  /** Resolves when no write is queued or in flight. */
  async flush(): Promise<void> {
    await this.#file.flush()
  }

  /** Waits for pending writes. */
  async close(): Promise<void> {
    await this.#file.flush()
  }

  async #write(undo: () => void): Promise<void> {
    try {
      await this.#file.write(this.#data)
    } catch (e) {
      undo()
      throw e
    }
  }
}
