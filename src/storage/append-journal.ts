import { open, readFile, type FileHandle } from 'node:fs/promises'
import { silentLogger, type Logger } from '../log.js'
import { CorruptStoreError, StoreIoError } from './errors.js'
import { FILE_MODE } from './fs-utils.js'
import { ignoreHealth, type StorageHealth } from './health.js'

export interface AppendJournalOptions<L> {
  /** What a line must be; anything else (but a torn tail) makes the journal corrupt. */
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
  /** Warns about a torn tail cut off at open. */
  readonly logger?: Logger
  /** Told of every failed and successful write, for /healthz. */
  readonly health?: StorageHealth
  /** Opens the file for reading and writing; a seam for tests that need a failing disk. */
  readonly openFile?: (file: string) => Promise<FileHandle>
}

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

/** A write that the device took only part of: as much a failure as ENOSPC, which usually follows it. */
class ShortWriteError extends Error {
  override readonly name = 'ShortWriteError'
  readonly code = 'SHORT_WRITE'
}

const NEWLINE = 0x0a

/**
 * An append-only journal of JSON lines in front of a store that is rewritten only now and then
 * (a snapshot, shard files). A change is one appended line; lines arriving while a write is in
 * flight go out together in the next one (group commit), so a burst of changes costs one write
 * (and, with `sync`, one fdatasync) instead of one each.
 *
 * A batch counts as written only when every byte of it was (and, with `sync`, was flushed): a
 * short write or ENOSPC rejects the whole batch, and the file is cut back to the end of the last
 * good batch before anything else is written, so a torn record is never followed by good ones.
 * Writes go to an explicit offset rather than O_APPEND, so a cut that failed (the disk still
 * refusing) is simply overwritten once the disk accepts data again.
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
  readonly #openFile: (file: string) => Promise<FileHandle>
  readonly #validate: (value: unknown) => value is L
  readonly #sync: boolean
  readonly #logger: Logger
  readonly #health: StorageHealth
  #handle: FileHandle | undefined
  /** End of the last complete, acknowledged batch: where the next one is written. */
  #bytes = 0
  /** Bytes past #bytes may hold part of a failed batch and must be cut before the next write. */
  #tailDirty = false
  #pending: string[] = []
  #waiters: Waiter[] = []
  #checkpointWaiters: Waiter[] = []
  #writing: Promise<void> | undefined
  #draining = false

  constructor(file: string, options: AppendJournalOptions<L>) {
    this.file = file
    this.#validate = options.validate
    this.#sync = options.sync
    this.#checkpointBytes = options.checkpointBytes
    this.#onFull = options.onFull
    this.#logger = options.logger ?? silentLogger()
    this.#health = options.health ?? ignoreHealth
    this.#openFile = options.openFile ?? openReadWrite
  }

  /**
   * The lines in the journal, oldest first. A torn tail — a last line cut short by a crash or a
   * full disk, or NUL padding — was never acknowledged: it is cut off the file, with a warning
   * naming the bytes dropped. A bad line followed by good ones throws CorruptStoreError naming the
   * file and the line, and the file is left untouched.
   */
  async replay(): Promise<L[]> {
    let data: Buffer
    try {
      data = await readFileIfAny(this.file)
    } catch (e) {
      throw StoreIoError.wrap(e, this.file, 'read')
    }
    const records: L[] = []
    let goodEnd = 0
    let badLine: number | undefined
    let line = 0
    let start = 0
    while (start < data.length) {
      const nl = data.indexOf(NEWLINE, start)
      const end = nl === -1 ? data.length : nl
      line++
      const parsed = nl === -1 ? undefined : this.#parseLine(data.subarray(start, end))
      if (parsed === 'blank') {
        if (badLine === undefined) goodEnd = end + 1
      } else if (parsed !== undefined) {
        if (badLine !== undefined) {
          throw new CorruptStoreError(
            this.file,
            `line ${badLine} is damaged and intact lines follow it`,
            `fix or delete only line ${badLine} (the lines after it hold acknowledged changes), or restore the file from a backup`,
          )
        }
        records.push(parsed.value)
        goodEnd = end + 1
      } else {
        badLine ??= line
      }
      start = end + 1
    }
    if (goodEnd < data.length) await this.#cutTail(goodEnd, data.length - goodEnd)
    return records
  }

  #parseLine(bytes: Buffer): { value: L } | 'blank' | undefined {
    const text = bytes.toString('utf8')
    if (text.trim() === '') return 'blank'
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return undefined
    }
    return this.#validate(value) ? { value } : undefined
  }

  async #cutTail(goodEnd: number, dropped: number): Promise<void> {
    let handle: FileHandle | undefined
    try {
      handle = await open(this.file, 'r+')
      await handle.truncate(goodEnd)
      await handle.datasync()
    } catch (e) {
      throw StoreIoError.wrap(e, this.file, 'cut the torn end of')
    } finally {
      await handle?.close().catch(() => undefined)
    }
    this.#logger.warn({ event: 'journal.tail_dropped', file: this.file, bytes: dropped }, 'a torn, never acknowledged end of the journal was cut off')
  }

  /** Opens the journal for writing (after replay and the first checkpoint). */
  async open(): Promise<void> {
    try {
      this.#handle = await this.#openFile(this.file)
      this.#bytes = (await this.#handle.stat()).size
    } catch (e) {
      throw StoreIoError.wrap(e, this.file, 'open')
    }
  }

  /** Appends one line; resolves once it is written (and, with `sync`, on the disk). */
  append(line: L): Promise<void> {
    if (!this.#handle) return Promise.reject(new Error(`journal ${this.file} is not open`))
    this.#pending.push(`${JSON.stringify(line)}\n`)
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }))
    this.#wakeWriter()
    return done
  }

  /**
   * Runs a checkpoint after everything queued so far, whatever the journal's size (e.g. after a
   * purge, so the personal data it removed does not linger in the journal).
   */
  checkpoint(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.#checkpointWaiters.push({ resolve, reject }))
    this.#wakeWriter()
    return done
  }

  #wakeWriter(): void {
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
    this.#tailDirty = false
  }

  /** Waits for queued appends (and any checkpoint they started), then closes the file. */
  async close(): Promise<void> {
    await this.idle()
    await this.#handle?.close().catch(() => undefined)
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
      // Same microtask as the loop's last check for work (see #wakeWriter).
      this.#draining = false
    }
  }

  async #writeBatch(): Promise<void> {
    const bytes = Buffer.from(this.#pending.join(''), 'utf8')
    const waiters = this.#waiters
    this.#pending = []
    this.#waiters = []
    try {
      await this.#writeAt(bytes)
    } catch (e) {
      this.#health.failed(this.file, e, () => this.#probe())
      for (const w of waiters) w.reject(StoreIoError.wrap(e, this.file, 'append to'))
      return
    }
    this.#health.succeeded(this.file)
    for (const w of waiters) w.resolve()
  }

  /** Writes `bytes` at the end of the last good batch; on any failure leaves #bytes where it was. */
  async #writeAt(bytes: Buffer): Promise<void> {
    const handle = this.#handle!
    if (this.#tailDirty) {
      await handle.truncate(this.#bytes)
      this.#tailDirty = false
    }
    try {
      let done = 0
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, this.#bytes + done)
        if (bytesWritten <= 0) throw new ShortWriteError(`${this.file}: short write`)
        done += bytesWritten
      }
      if (this.#sync) await handle.datasync()
    } catch (e) {
      // Whatever part of the batch reached the file is not acknowledged: cut it now, or before the next write.
      this.#tailDirty = true
      await handle
        .truncate(this.#bytes)
        .then(() => (this.#tailDirty = false))
        .catch(() => undefined)
      throw e
    }
    this.#bytes += bytes.length
  }

  /**
   * The background retry while the disk refuses: can a (blank, ignored) line be written and flushed
   * again? Runs in place of a batch, so it never interleaves with one.
   */
  #probe(): Promise<void> {
    if (!this.#handle || this.#draining) return Promise.resolve()
    this.#draining = true
    this.#writing = (async () => {
      try {
        await this.#writeAt(Buffer.from('\n'))
        this.#health.succeeded(this.file)
      } catch (e) {
        this.#health.failed(this.file, e, () => this.#probe())
      } finally {
        this.#draining = false
      }
    })()
    // Appends that arrived meanwhile were queued behind the flag.
    return this.#writing.then(() => {
      if (this.#pending.length > 0 || this.#checkpointWaiters.length > 0) this.#wakeWriter()
    })
  }
}

/** The journal as one buffer; empty when it does not exist yet. */
async function readFileIfAny(file: string): Promise<Buffer> {
  try {
    return await readFile(file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0)
    throw e
  }
}

/** Read-write, created when missing, never truncated: writes go to explicit offsets. */
async function openReadWrite(file: string): Promise<FileHandle> {
  await (await open(file, 'a', FILE_MODE)).close()
  return open(file, 'r+')
}
