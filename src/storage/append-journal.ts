import { open, readFile, type FileHandle } from 'node:fs/promises'
import { CorruptStoreError } from './errors.js'
import { FILE_MODE } from './fs-utils.js'

export interface AppendJournalOptions<L> {
  /** What a line must be; anything else (but a torn last line) makes the journal corrupt. */
  readonly validate: (value: unknown) => value is L
  /**
   * Flush every batch to the disk (fdatasync) before acknowledging it. Without it, an acknowledged
   * line survives the process being killed but not a power cut.
   */
  readonly sync: boolean
  /** Journal size that triggers a checkpoint. */
  readonly checkpointBytes: number
  /** Brings the store behind the journal up to date, then calls `truncate()`; run between batches. */
  readonly onFull: () => Promise<void>
  /** Opens the file for appending; a seam for tests that need a failing disk. */
  readonly openFile?: (file: string) => Promise<FileHandle>
}

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

/**
 * An append-only journal of JSON lines in front of a store that is rewritten only now and then
 * (a snapshot, shard files). A change is one appended line; lines arriving while a write is in
 * flight go out together in the next one (group commit), so a burst of changes costs one write
 * (and, with `sync`, one fdatasync) instead of one each.
 *
 * The store behind it is brought up to date at a checkpoint (`onFull`, run between batches when
 * the journal passes `checkpointBytes`, or on request), which ends by emptying the journal.
 * Applying the replayed lines is the owner's job and must be idempotent (the last line for a key
 * wins), so a crash at any point loses nothing that was acknowledged.
 */
export class AppendJournal<L> {
  readonly file: string
  readonly #checkpointBytes: number
  readonly #onFull: () => Promise<void>
  #handle: FileHandle | undefined
  #bytes = 0
  #pending: string[] = []
  #waiters: Waiter[] = []
  #checkpointWaiters: Waiter[] = []
  #writing: Promise<void> | undefined
  #draining = false
  readonly #openFile: (file: string) => Promise<FileHandle>
  readonly #validate: (value: unknown) => value is L
  readonly #sync: boolean

  constructor(file: string, options: AppendJournalOptions<L>) {
    this.file = file
    this.#validate = options.validate
    this.#sync = options.sync
    this.#checkpointBytes = options.checkpointBytes
    this.#onFull = options.onFull
    this.#openFile = options.openFile ?? ((f) => open(f, 'a', FILE_MODE))
  }

  /**
   * The lines in the journal, oldest first. A torn last line (a crash mid-append, never
   * acknowledged) is ignored; any other bad line throws CorruptStoreError naming the journal.
   */
  async replay(): Promise<L[]> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw e
    }
    const lines = text.split('\n')
    const last = lines.length - 1
    const records: L[] = []
    lines.forEach((raw, i) => {
      if (raw === '') return
      let value: unknown
      try {
        value = JSON.parse(raw)
      } catch (e) {
        if (i === last) return
        throw new CorruptStoreError(this.file, `invalid line ${i + 1}`, { cause: e })
      }
      if (!this.#validate(value)) throw new CorruptStoreError(this.file, `unexpected line ${i + 1}`)
      records.push(value)
    })
    return records
  }

  /** Opens the journal for appending (after replay and the first checkpoint). */
  async open(): Promise<void> {
    this.#handle = await this.#openFile(this.file)
    this.#bytes = (await this.#handle.stat()).size
  }

  /** Appends one line; resolves once it is written (and, with `sync`, on the disk). */
  append(line: L): Promise<void> {
    if (!this.#handle) return Promise.reject(new Error(`journal ${this.file} is not open`))
    this.#pending.push(`${JSON.stringify(line)}\n`)
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }))
    this.#kick()
    return done
  }

  /**
   * Runs a checkpoint after everything queued so far, whatever the journal's size (e.g. after a
   * purge, so the personal data it removed does not linger in the journal).
   */
  checkpoint(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.#checkpointWaiters.push({ resolve, reject }))
    this.#kick()
    return done
  }

  #kick(): void {
    // The flag is cleared inside #drain, in the same microtask as its last check for work: a
    // `.finally` would clear it a turn later, and an append in between would never be written.
    if (this.#draining) return
    this.#draining = true
    this.#writing = this.#drain()
  }

  /** Empties the journal; only called from a checkpoint, once every line is in the store behind it. */
  async truncate(): Promise<void> {
    if (this.#handle) await this.#handle.truncate(0)
    else await (await open(this.file, 'w', FILE_MODE)).close()
    this.#bytes = 0
  }

  /** Waits for queued appends (and any checkpoint they started), then closes the file. */
  async close(): Promise<void> {
    await this.idle()
    await this.#handle?.close()
    this.#handle = undefined
  }

  /** Resolves when nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#writing
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0 || this.#checkpointWaiters.length > 0) {
        if (this.#pending.length > 0) await this.#writeBatch()
        const asked = this.#checkpointWaiters
        if (this.#bytes <= this.#checkpointBytes && asked.length === 0) continue
        this.#checkpointWaiters = []
        try {
          await this.#onFull()
          for (const w of asked) w.resolve()
        } catch (e) {
          // A failed checkpoint loses nothing (every line is still here); the next batch retries it.
          for (const w of asked) w.reject(e)
        }
      }
    } finally {
      // Same microtask as the loop's last check for work (see #kick).
      this.#draining = false
    }
  }

  async #writeBatch(): Promise<void> {
    const text = this.#pending.join('')
    const waiters = this.#waiters
    this.#pending = []
    this.#waiters = []
    try {
      await this.#handle!.write(text)
      if (this.#sync) await this.#handle!.datasync()
      this.#bytes += Buffer.byteLength(text)
    } catch (e) {
      // Cut off whatever part of the batch reached the file, so the next line starts cleanly.
      await this.#handle!.truncate(this.#bytes).catch(() => undefined)
      for (const w of waiters) w.reject(e)
      return
    }
    for (const w of waiters) w.resolve()
  }
}
