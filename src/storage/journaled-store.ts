import path from 'node:path'
import { Low } from 'lowdb'
import type { Clock } from '../clock.js'
import type { ConversationStore } from './conversation-store.js'
import type { Logger } from '../log.js'
import { AppendJournal, type AppendJournalOptions } from './append-journal.js'
import { StoreClosedError, StoreIoError } from './errors.js'
import { ensureDir } from './fs-utils.js'
import { ignoreHealth, type StorageHealth } from './health.js'
import { AtomicJsonFile } from './json-file.js'

interface Entry<T> {
  value: T
  updatedAt: string
}

interface Snapshot<T> {
  version: 1
  entries: Record<string, Entry<T>>
}

/** One journal line: a value set, or a key deleted (`d`). */
type JournalLine<T> = { k: string; v: T; t: string } | { k: string; d: 1 }

interface OpenOptions {
  /** Journal size that triggers a compaction (default 4 MiB). */
  readonly compactBytes?: number
  readonly logger?: Logger
  readonly health?: StorageHealth
  /** Opens the journal for writing; a seam for tests that need a failing disk. */
  readonly openJournal?: AppendJournalOptions<unknown>['openFile']
}

function isSnapshot(value: unknown): value is Snapshot<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<Snapshot<unknown>>
  return v.version === 1 && typeof v.entries === 'object' && v.entries !== null && !Array.isArray(v.entries)
}

function isJournalLine(value: unknown): value is JournalLine<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.k === 'string' && (v.d === 1 || (typeof v.t === 'string' && 'v' in v))
}

/**
 * Conversation state with a cost per turn that does not grow with how many conversations are in
 * progress: every change is one appended line in `<name>.journal`, and the whole state is compacted
 * into the lowdb snapshot `<name>.json` (atomic temp file + rename) when the journal grows, at open
 * and at close. Appends are batched (AppendJournal), so a burst of turns costs one write.
 *
 * Neither file is fsync'd: what was written survives the process being killed (the data is in the
 * kernel's cache and replay ignores a torn last line), while a power cut may lose the last turns,
 * which the person simply answers again. Filed requests themselves are fsync'd elsewhere.
 *
 * Memory is the working copy: when the disk refuses a write (full, read-only), a conversation goes
 * on from memory rather than being dropped mid-request, the store reports itself unhealthy, and the
 * whole state is written as a snapshot as soon as the disk accepts it again (the next change or the
 * background retry). Only a crash during that time loses those turns.
 */
export class JournaledConversationStore<T> implements ConversationStore<T> {
  readonly #entries = new Map<string, Entry<T>>()
  readonly #snapshot: Low<Snapshot<T>>
  readonly #journal: AppendJournal<JournalLine<T>>
  readonly #clock: Clock
  readonly #health: StorageHealth
  /** Changes in memory that the journal refused: the next write is a whole snapshot instead. */
  #unsaved = false
  #closed = false

  private constructor(file: string, clock: Clock, compactBytes: number, options: OpenOptions) {
    this.#snapshot = new Low<Snapshot<T>>(new AtomicJsonFile<Snapshot<T>>(file, {
        validate: isSnapshot as (v: unknown) => v is Snapshot<T>,
        fsync: false,
        health: options.health,
      }), {
      version: 1,
      entries: {},
    })
    this.#journal = new AppendJournal<JournalLine<T>>(file.replace(/\.json$/, '') + '.journal', {
      validate: isJournalLine as (v: unknown) => v is JournalLine<T>,
      sync: false,
      checkpointBytes: compactBytes,
      onFull: () => this.#compact(),
      logger: options.logger,
      health: options.health,
      openFile: options.openJournal,
    })
    this.#clock = clock
    this.#health = options.health ?? ignoreHealth
  }

  /**
   * Opens `file` (e.g. DATA_DIR/conversations.json) and its journal, replays the journal and compacts.
   * A damaged snapshot, or a damaged journal line other than a torn last one, throws CorruptStoreError
   * naming the file, and nothing is written.
   */
  static async open<T>(file: string, clock: Clock, options: OpenOptions = {}): Promise<JournaledConversationStore<T>> {
    await ensureDir(path.dirname(file))
    const store = new JournaledConversationStore<T>(path.resolve(file), clock, options.compactBytes ?? 4 * 1024 * 1024, options)
    await store.#snapshot.read()
    for (const [k, e] of Object.entries(store.#snapshot.data.entries)) store.#entries.set(k, e)
    for (const line of await store.#journal.replay()) {
      if ('d' in line) store.#entries.delete(line.k)
      else store.#entries.set(line.k, { value: line.v, updatedAt: line.t })
    }
    // A disk that refuses the snapshot loses nothing here: the journal still holds every line.
    await store.#compact().catch((e: unknown) => {
      if (!(e instanceof StoreIoError)) throw e
      store.#health.failed(e.file, e, () => store.#journal.checkpoint())
    })
    await store.#journal.open()
    return store
  }

  get file(): string {
    return this.#journal.file
  }

  async get(key: string): Promise<T | undefined> {
    const e = this.#entries.get(key)
    return e === undefined ? undefined : structuredClone(e.value)
  }

  async set(key: string, value: T): Promise<void> {
    this.#assertOpen()
    const entry: Entry<T> = { value: structuredClone(value), updatedAt: this.#clock.now().toISOString() }
    this.#entries.set(key, entry)
    await this.#persist({ k: key, v: entry.value, t: entry.updatedAt })
  }

  async delete(key: string): Promise<boolean> {
    this.#assertOpen()
    if (!this.#entries.delete(key)) return false
    await this.#persist({ k: key, d: 1 })
    return true
  }

  size(): number {
    return this.#entries.size
  }

  async deleteIdleSince(cutoff: Date): Promise<number> {
    this.#assertOpen()
    const idle = [...this.#entries].filter(([, e]) => Date.parse(e.updatedAt) < cutoff.getTime())
    if (idle.length === 0) return 0
    for (const [k] of idle) this.#entries.delete(k)
    await Promise.all(idle.map(([k]) => this.#persist({ k, d: 1 })))
    return idle.length
  }

  /** Flushes everything as a snapshot; a disk that still refuses loses only what was unsaved. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#journal.idle()
    await this.#compact().catch((e: unknown) => {
      if (!(e instanceof StoreIoError)) throw e
    })
    await this.#journal.close()
  }

  /** One appended line, or — after a refused write — the whole state as a snapshot. Never throws for the disk. */
  async #persist(line: JournalLine<T>): Promise<void> {
    if (this.#unsaved) return this.#saveAll()
    try {
      await this.#journal.append(line)
    } catch (e) {
      this.#markUnsaved(e)
    }
  }

  async #saveAll(): Promise<void> {
    try {
      await this.#journal.checkpoint()
      this.#unsaved = false
      this.#health.succeeded(this.#journal.file)
    } catch (e) {
      this.#markUnsaved(e)
    }
  }

  #markUnsaved(e: unknown): void {
    this.#unsaved = true
    this.#health.failed(this.#journal.file, e, () => this.#saveAll())
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(this.#journal.file)
  }

  /** Writes the whole state as the snapshot, then empties the journal (replay is idempotent either way). */
  async #compact(): Promise<void> {
    this.#snapshot.data = { version: 1, entries: Object.fromEntries(this.#entries) }
    await this.#snapshot.write()
    await this.#journal.truncate()
  }

}
