import path from 'node:path'
import { Low } from 'lowdb'
import type { Clock } from '../assistant/types.js'
import type { ConversationStore } from './conversation-store.js'
import { AppendJournal } from './append-journal.js'
import { StoreClosedError } from './errors.js'
import { ensureDir } from './fs-utils.js'
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
 */
export class JournaledConversationStore<T> implements ConversationStore<T> {
  readonly #entries = new Map<string, Entry<T>>()
  readonly #snapshot: Low<Snapshot<T>>
  readonly #journal: AppendJournal<JournalLine<T>>
  readonly #clock: Clock
  #closed = false

  private constructor(file: string, clock: Clock, compactBytes: number) {
    this.#snapshot = new Low<Snapshot<T>>(new AtomicJsonFile<Snapshot<T>>(file, { validate: isSnapshot as (v: unknown) => v is Snapshot<T>, fsync: false }), {
      version: 1,
      entries: {},
    })
    this.#journal = new AppendJournal<JournalLine<T>>(file.replace(/\.json$/, '') + '.journal', {
      validate: isJournalLine as (v: unknown) => v is JournalLine<T>,
      sync: false,
      checkpointBytes: compactBytes,
      onFull: () => this.#compact(),
    })
    this.#clock = clock
  }

  /**
   * Opens `file` (e.g. DATA_DIR/conversations.json) and its journal, replays the journal and compacts.
   * A damaged snapshot, or a damaged journal line other than a torn last one, throws CorruptStoreError
   * naming the file, and nothing is written.
   */
  static async open<T>(file: string, clock: Clock, options: { compactBytes?: number } = {}): Promise<JournaledConversationStore<T>> {
    await ensureDir(path.dirname(file))
    const store = new JournaledConversationStore<T>(path.resolve(file), clock, options.compactBytes ?? 4 * 1024 * 1024)
    await store.#snapshot.read()
    for (const [k, e] of Object.entries(store.#snapshot.data.entries)) store.#entries.set(k, e)
    for (const line of await store.#journal.replay()) {
      if ('d' in line) store.#entries.delete(line.k)
      else store.#entries.set(line.k, { value: line.v, updatedAt: line.t })
    }
    await store.#compact()
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
    const before = this.#entries.get(key)
    const entry: Entry<T> = { value: structuredClone(value), updatedAt: this.#clock.now().toISOString() }
    this.#entries.set(key, entry)
    await this.#journal.append({ k: key, v: entry.value, t: entry.updatedAt }).catch((e: unknown) => {
      // Keep memory matching disk: undo, unless a later change already replaced this one.
      if (this.#entries.get(key) === entry) before ? this.#entries.set(key, before) : this.#entries.delete(key)
      throw e
    })
  }

  async delete(key: string): Promise<boolean> {
    this.#assertOpen()
    const before = this.#entries.get(key)
    if (!before) return false
    this.#entries.delete(key)
    await this.#journal.append({ k: key, d: 1 }).catch((e: unknown) => {
      if (!this.#entries.has(key)) this.#entries.set(key, before)
      throw e
    })
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
    await Promise.all(idle.map(([k]) => this.#journal.append({ k, d: 1 })))
    return idle.length
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#journal.idle()
    await this.#compact()
    await this.#journal.close()
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
