import { randomBytes } from 'node:crypto'
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises'
import path from 'node:path'
import type { Adapter } from 'lowdb'
import { CorruptStoreError, StoreIoError } from './errors.js'
import { FILE_MODE, fsyncDir } from './fs-utils.js'
import { ignoreHealth, type StorageHealth } from './health.js'

/** Type guard over parsed content; false marks the file as corrupt. */
export type JsonValidator<T> = (value: unknown) => value is T

interface Batch {
  data: unknown
  promise: Promise<void>
  resolve: () => void
  reject: (e: unknown) => void
}

/**
 * A lowdb adapter for one JSON file that never leaves a half-written file behind:
 * each write goes to a fresh temp file in the same directory (mode 0600), is fsync'd, renamed over
 * the target, and the directory is fsync'd (best-effort).
 *
 * Writes are serialised. A write requested while another is in flight joins the next batch, which
 * serialises the data when it starts — so every caller's `await write()` resolves only once a write
 * that began after its call (and therefore contains its change) is on disk.
 *
 * `read()` returns null for a missing file and throws CorruptStoreError for anything unparsable
 * or failing `validate`; it never writes, so a damaged file is never replaced by an empty store.
 * Errors name the file and the errno code (StoreIoError), never the content.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  readonly file: string
  readonly #validate: JsonValidator<T> | undefined
  readonly #tempPrefix: string
  readonly #fsync: boolean
  readonly #health: StorageHealth
  /** The data of the last write asked for: what a background retry writes after a failure. */
  #lastData: unknown
  #running = false
  #next: Batch | null = null
  #current: Promise<void> | null = null

  /**
   * `fsync: false` keeps the atomic rename (a killed process never leaves a torn file, and what was
   * written survives it) but skips flushing to the disk itself, so a power cut may lose the last
   * writes. Only for state that is cheap to lose that way, such as half-finished conversations.
   */
  constructor(file: string, options: { validate?: JsonValidator<T>; fsync?: boolean; health?: StorageHealth } = {}) {
    this.file = path.resolve(file)
    this.#validate = options.validate
    this.#fsync = options.fsync ?? true
    this.#health = options.health ?? ignoreHealth
    this.#tempPrefix = `.${path.basename(this.file)}.`
  }

  async read(): Promise<T | null> {
    await this.#removeStaleTemps()
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw StoreIoError.wrap(e, this.file, 'read')
    }
    if (text.trim() === '') throw new CorruptStoreError(this.file, 'empty file')
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      // V8's message quotes a fragment of the text, which may be a name or an e-mail: never pass it on.
      throw new CorruptStoreError(this.file, 'not valid JSON')
    }
    if (this.#validate && !this.#validate(value)) throw new CorruptStoreError(this.file, 'unexpected structure')
    return value as T
  }

  write(data: T): Promise<void> {
    this.#lastData = data
    if (!this.#next) {
      let resolve!: () => void
      let reject!: (e: unknown) => void
      const promise = new Promise<void>((res, rej) => {
        resolve = res
        reject = rej
      })
      this.#next = { data, promise, resolve, reject }
    } else {
      this.#next.data = data
    }
    const { promise } = this.#next
    if (!this.#running) this.#startNext()
    return promise
  }

  /** Resolves when no write is queued or in flight. */
  async flush(): Promise<void> {
    const last = this.#next?.promise ?? this.#current
    await last?.catch(() => undefined)
  }

  #startNext(): void {
    const batch = this.#next
    if (!batch) return
    this.#next = null
    this.#running = true
    this.#current = batch.promise
    let written: Promise<void>
    try {
      written = this.#writeFile(JSON.stringify(batch.data))
    } catch (e) {
      written = Promise.reject(e)
    }
    written
      .then(
        () => {
          this.#health.succeeded(this.file)
          batch.resolve()
        },
        (e: unknown) => {
          this.#health.failed(this.file, e, () => this.write(this.#lastData as T))
          batch.reject(StoreIoError.wrap(e, this.file, 'write'))
        },
      )
      .finally(() => {
        // Let the callers' continuations run (e.g. a rollback after a failed write) before the
        // next batch snapshots the data.
        setImmediate(() => {
          this.#running = false
          this.#current = null
          this.#startNext()
        })
      })
  }

  async #writeFile(text: string): Promise<void> {
    const dir = path.dirname(this.file)
    const temp = path.join(dir, `${this.#tempPrefix}${randomBytes(6).toString('hex')}.tmp`)
    // 'wx': a fresh file, so the mode below applies and nothing else is clobbered.
    const handle = await open(temp, 'wx', FILE_MODE)
    try {
      try {
        await handle.writeFile(text, 'utf8')
        if (this.#fsync) await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temp, this.file)
    } catch (e) {
      await unlink(temp).catch(() => undefined)
      throw e
    }
    if (this.#fsync) await fsyncDir(dir)
  }

  /** Temp files left by a process killed mid-write are incomplete by definition. */
  async #removeStaleTemps(): Promise<void> {
    const dir = path.dirname(this.file)
    const names = await readdir(dir).catch(() => [] as string[])
    for (const name of names) {
      if (name.startsWith(this.#tempPrefix) && name.endsWith('.tmp')) await unlink(path.join(dir, name)).catch(() => undefined)
    }
  }
}
