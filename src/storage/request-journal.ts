import { open, readFile, type FileHandle } from 'node:fs/promises'
import type { RightsRequest } from '../requests/model.js'
import { CorruptStoreError } from './errors.js'
import { FILE_MODE } from './fs-utils.js'
import { isStoredRequest } from './request-schema.js'

export interface RequestJournalOptions {
  /** Journal size that triggers a checkpoint. */
  readonly checkpointBytes: number
  /** Brings the shards up to date and calls `truncate()`; run between batches. */
  readonly onFull: () => Promise<void>
  /** Opens the file for appending; a seam for tests that need a failing disk. */
  readonly openFile?: (file: string) => Promise<FileHandle>
}

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

/**
 * The write-ahead journal in front of the request shards: every change to a request is one line
 * (the whole record after the change) appended here and flushed to the disk (fdatasync) before the
 * caller hears it is stored. Lines arriving while a flush is in flight go out together in the next
 * one (group commit), so a burst of filings costs one flush, not one each.
 *
 * The shard files are brought up to date from memory at a checkpoint (`onFull`, run when the
 * journal passes `checkpointBytes`, and at open and close), after which the journal is emptied.
 * Replaying is idempotent — the last line for an id wins — so a crash at any point loses nothing
 * that was acknowledged.
 */
export class RequestJournal {
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

  constructor(file: string, options: RequestJournalOptions) {
    this.file = file
    this.#checkpointBytes = options.checkpointBytes
    this.#onFull = options.onFull
    this.#openFile = options.openFile ?? ((f) => open(f, 'a', FILE_MODE))
  }

  /**
   * The records in the journal, oldest first. A torn last line (a crash mid-append, never
   * acknowledged) is ignored; any other bad line throws CorruptStoreError naming the journal.
   */
  async replay(): Promise<RightsRequest[]> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw e
    }
    const lines = text.split('\n')
    const last = lines.length - 1
    const records: RightsRequest[] = []
    lines.forEach((raw, i) => {
      if (raw === '') return
      let value: unknown
      try {
        value = JSON.parse(raw)
      } catch (e) {
        if (i === last) return
        throw new CorruptStoreError(this.file, `invalid line ${i + 1}`, { cause: e })
      }
      if (!isStoredRequest(value)) throw new CorruptStoreError(this.file, `unexpected record on line ${i + 1}`)
      records.push(value)
    })
    return records
  }

  /** Opens the journal for appending (after replay and the first checkpoint). */
  async open(): Promise<void> {
    this.#handle = await this.#openFile(this.file)
    this.#bytes = (await this.#handle.stat()).size
  }

  /** Appends one record; resolves once it is on the disk. */
  append(record: RightsRequest): Promise<void> {
    if (!this.#handle) return Promise.reject(new Error(`request journal ${this.file} is not open`))
    this.#pending.push(`${JSON.stringify(record)}\n`)
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }))
    this.#kick()
    return done
  }

  /**
   * Runs a checkpoint after everything queued so far, whatever the journal's size: after a purge,
   * so the personal data it removed does not linger in the journal.
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

  /** Empties the journal; only called from a checkpoint, when every line is in the shards. */
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
      await this.#handle!.datasync()
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
