import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { Low } from 'lowdb'
import type { Duration } from 'luxon'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { RequestNotFoundError } from '../requests/errors.js'
import { newRequestId, requestIdMonth } from '../requests/ids.js'
import type { AuditInput, NewRequest, RequestChange, RequestFilter, RightsRequest } from '../requests/model.js'
import {
  applyChange,
  buildRecord,
  byCreation,
  deepFreeze,
  isOpen,
  isPurgeable,
  matchesFilter,
  purgeCutoff,
  purgeRecord,
} from '../requests/records.js'
import type { RequestRepository } from '../requests/repository.js'
import { CorruptStoreError, StoreClosedError, StoreIoError, ioCode } from './errors.js'
import { ensureDir } from './fs-utils.js'
import { ignoreHealth, type StorageHealth } from './health.js'
import { AppendJournal, type AppendJournalOptions } from './append-journal.js'
import { AtomicJsonFile } from './json-file.js'
import { isShardData, isStoredRequest, type ShardData } from './request-schema.js'
import { personKey } from '../person-key.js'

/** "2026-11.json" is part 1 of November 2026, "2026-11.2.json" part 2, and so on. */
const SHARD_FILE = /^(\d{4}-(?:0[1-9]|1[0-2]))(?:\.([2-9]|[1-9]\d+))?\.json$/

function byMonthAndPart(a: string, b: string): number {
  const [, monthA = '', partA = '1'] = SHARD_FILE.exec(a) ?? []
  const [, monthB = '', partB = '1'] = SHARD_FILE.exec(b) ?? []
  return monthA === monthB ? Number(partA) - Number(partB) : monthA < monthB ? -1 : 1
}

/**
 * A request found in two files: one of them is a copy (a backup put back, a file copied by hand).
 * A request belongs to its creation month, so the file of another month is the copy; when both are
 * parts of the right month, only the operator can tell.
 */
function duplicateError(id: string, a: Shard, b: Shard): CorruptStoreError {
  const month = requestIdMonth(id)
  const copy = a.month !== month ? a : b.month !== month ? b : undefined
  if (copy) {
    const original = copy === a ? b : a
    return new CorruptStoreError(
      copy.adapter.file,
      `it holds request ${id} of ${month}, which is also in ${original.adapter.file}: it looks like a copy`,
      'move this file out of the requests directory',
    )
  }
  return new CorruptStoreError(b.adapter.file, `request ${id} is also in ${a.adapter.file}`, 'one of the two files is a copy: move it out of the requests directory')
}

/** Default records per shard file before a month rolls over to its next part. */
export const DEFAULT_SHARD_CAPACITY = 250

interface Shard {
  /** File name without ".json", for logs. */
  readonly name: string
  readonly month: string
  readonly part: number
  /** Records in the shard, kept so choosing the shard to file into is O(1). */
  count: number
  readonly adapter: AtomicJsonFile<ShardData>
  readonly db: Low<ShardData>
}

export interface FileRequestRepositoryOptions {
  /** Directory of shard files, e.g. DATA_DIR/requests; created with mode 0700 when missing. */
  dir: string
  clock: Clock
  logger: Logger
  /** Records per file before the month opens its next part (default 250); bounds a checkpoint's cost. */
  shardCapacity?: number
  /** Journal size that triggers a checkpoint into the shard files (default 1 MiB). */
  checkpointBytes?: number
  /** Opens the journal for appending; a seam for tests that need a failing disk. */
  openJournal?: AppendJournalOptions<RightsRequest>['openFile']
  /** Told of failed and successful writes, for /healthz. */
  health?: StorageHealth
}

/** The journal's name in the requests directory; it does not match SHARD_FILE. */
export const JOURNAL_FILE = 'journal.ndjson'

/**
 * Requests sharded into lowdb files by creation month (the Shanghai month in the id), each month
 * split into parts of at most `shardCapacity` records, behind a write-ahead journal.
 *
 * A change is stored when its line is in the journal and flushed to the disk (group commit): one
 * append and one fdatasync, whatever the size of the shards. The shards that changed are rewritten
 * (atomically, fsync'd) at a checkpoint — when the journal passes `checkpointBytes`, at open, at close
 * and after a purge — and the journal is then emptied. At open, the shards are read and the journal replayed
 * over them. Everything is in memory (id → shard map) and reads are served from there.
 */
export class FileRequestRepository implements RequestRepository {
  readonly #dir: string
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #shards = new Map<string, Shard>()
  readonly #shardOf = new Map<string, Shard>()
  readonly #byUser = new Map<string, Set<string>>()
  /** The part new requests of a month go into. */
  readonly #lastPart = new Map<string, Shard>()
  readonly #capacity: number
  readonly #journal: AppendJournal<RightsRequest>
  /** Shards changed since the last checkpoint. */
  readonly #dirty = new Set<Shard>()
  readonly #health: StorageHealth
  #closed = false

  private constructor(options: FileRequestRepositoryOptions) {
    this.#dir = path.resolve(options.dir)
    this.#clock = options.clock
    this.#logger = options.logger
    this.#capacity = Math.max(1, options.shardCapacity ?? DEFAULT_SHARD_CAPACITY)
    this.#health = options.health ?? ignoreHealth
    this.#journal = new AppendJournal<RightsRequest>(path.join(this.#dir, JOURNAL_FILE), {
      validate: isStoredRequest,
      // A request is acknowledged to the person only once it is on the disk.
      sync: true,
      checkpointBytes: options.checkpointBytes ?? 1024 * 1024,
      onFull: () => this.#checkpoint(),
      openFile: options.openJournal,
      logger: options.logger,
      health: this.#health,
    })
  }

  /** Loads every shard; throws CorruptStoreError naming the first unreadable file (nothing is written). */
  static async open(options: FileRequestRepositoryOptions): Promise<FileRequestRepository> {
    const repo = new FileRequestRepository(options)
    await repo.#load()
    await repo.#replayJournal()
    await repo.#journal.open()
    return repo
  }

  async #load(): Promise<void> {
    const started = performance.now()
    try {
      await ensureDir(this.#dir)
    } catch (e) {
      throw StoreIoError.wrap(e, this.#dir, 'create')
    }
    const names = (await readdir(this.#dir).catch((e: unknown) => Promise.reject(StoreIoError.wrap(e, this.#dir, 'list'))))
      .filter((n) => SHARD_FILE.test(n))
      .sort(byMonthAndPart)
    let count = 0
    for (const name of names) {
      const [, month = '', part = '1'] = SHARD_FILE.exec(name) ?? []
      const shard = this.#newShard(month, Number(part))
      await shard.db.read()
      for (const record of Object.values(shard.db.data.requests)) {
        const first = this.#shardOf.get(record.id)
        if (first) throw duplicateError(record.id, first, shard)
        deepFreeze(record)
        this.#index(record, shard)
        shard.count++
        count++
      }
    }
    this.#logger.info({ event: 'requests.opened', shards: names.length, requests: count, ms: Math.round(performance.now() - started) }, 'request store opened')
  }

  /** Applies the journal over the shards (last line per id wins), then checkpoints. */
  async #replayJournal(): Promise<void> {
    const records = await this.#journal.replay()
    for (const record of records) {
      deepFreeze(record)
      const shard = this.#shardOf.get(record.id)
      if (shard) {
        const before = shard.db.data.requests[record.id]
        if (before) this.#unindex(before)
        shard.db.data.requests[record.id] = record
        this.#index(record, shard)
        this.#dirty.add(shard)
        continue
      }
      this.#insertNew(record)
    }
    if (records.length > 0) this.#logger.info({ event: 'requests.journal_replayed', replayed: records.length }, 'request journal replayed')
    // On a full or read-only disk the service still starts: the journal keeps every change, and
    // the checkpoint is retried in the background until it succeeds.
    await this.#checkpoint().catch((e: unknown) => {
      if (!(e instanceof StoreIoError)) throw e
      this.#health.failed(e.file, e, () => this.#journal.checkpoint())
    })
  }

  /**
   * Rewrites every changed shard, then empties the journal. Runs between journal batches (or
   * before the journal opens), so no line can be appended between the shards' write and the cut.
   */
  async #checkpoint(): Promise<void> {
    const dirty = [...this.#dirty]
    this.#dirty.clear()
    try {
      await Promise.all(dirty.map((shard) => shard.db.write()))
    } catch (e) {
      for (const shard of dirty) this.#dirty.add(shard)
      this.#logger.error({ event: 'requests.checkpoint_failed', shards: dirty.length, code: ioCode(e) }, 'request checkpoint failed')
      throw e
    }
    await this.#journal.truncate().catch((e: unknown) => Promise.reject(StoreIoError.wrap(e, this.#journal.file, 'empty')))
  }

  #newShard(month: string, part: number): Shard {
    const name = part === 1 ? month : `${month}.${part}`
    const adapter = new AtomicJsonFile<ShardData>(path.join(this.#dir, `${name}.json`), { validate: isShardData, health: this.#health })
    const shard: Shard = { name, month, part, count: 0, adapter, db: new Low<ShardData>(adapter, { version: 1, requests: {} }) }
    this.#shards.set(name, shard)
    const last = this.#lastPart.get(month)
    if (!last || last.part < part) this.#lastPart.set(month, shard)
    return shard
  }

  /** The month's last part, or a new part when it is full. */
  #shardForNew(month: string): Shard {
    const last = this.#lastPart.get(month)
    if (last && last.count < this.#capacity) return last
    return this.#newShard(month, (last?.part ?? 0) + 1)
  }

  /** Puts a request not yet stored into its month's current part (in memory); returns that part. */
  #insertNew(record: RightsRequest): Shard {
    const shard = this.#shardForNew(requestIdMonth(record.id))
    shard.db.data.requests[record.id] = record
    shard.count++
    this.#index(record, shard)
    this.#dirty.add(shard)
    return shard
  }

  #index(record: RightsRequest, shard: Shard): void {
    this.#shardOf.set(record.id, shard)
    const key = personKey(record)
    let ids = this.#byUser.get(key)
    if (!ids) this.#byUser.set(key, (ids = new Set()))
    ids.add(record.id)
  }

  #unindex(record: RightsRequest): void {
    this.#shardOf.delete(record.id)
    this.#byUser.get(personKey(record))?.delete(record.id)
  }

  #record(id: string): RightsRequest | undefined {
    return this.#shardOf.get(id)?.db.data.requests[id]
  }

  async create(input: NewRequest, audit: AuditInput = { actor: 'user', action: 'created' }): Promise<RightsRequest> {
    this.#assertOpen()
    let id = newRequestId(this.#clock)
    while (this.#shardOf.has(id)) id = newRequestId(this.#clock)
    const record = buildRecord(id, input, this.#clock.now(), audit)
    const shard = this.#insertNew(record)
    try {
      await this.#journal.append(record)
    } catch (e) {
      // Not durable, so it must not exist: the caller will tell the user it failed.
      if (shard.db.data.requests[id] === record) {
        delete shard.db.data.requests[id]
        shard.count--
        this.#unindex(record)
      }
      this.#logger.error({ event: 'request.create_failed', requestId: id, code: ioCode(e), file: this.#journal.file }, 'request create failed')
      throw e
    }
    return record
  }

  async get(id: string): Promise<RightsRequest | undefined> {
    return this.#record(id)
  }

  async listByUser(channel: string, userId: string): Promise<RightsRequest[]> {
    const ids = this.#byUser.get(personKey({ channel, userId })) ?? new Set<string>()
    return [...ids].map((id) => this.#record(id)).filter((r): r is RightsRequest => r !== undefined).sort(byCreation)
  }

  async list(filter?: RequestFilter): Promise<RightsRequest[]> {
    const out: RightsRequest[] = []
    for (const shard of this.#shards.values()) {
      for (const r of Object.values(shard.db.data.requests)) if (matchesFilter(r, filter)) out.push(r)
    }
    return out.sort(byCreation)
  }

  async update(id: string, change: RequestChange, audit: AuditInput): Promise<RightsRequest> {
    this.#assertOpen()
    const shard = this.#shardOf.get(id)
    const current = shard?.db.data.requests[id]
    if (!shard || !current) throw new RequestNotFoundError(id)
    const next = applyChange(current, change, audit, this.#clock.now())
    shard.db.data.requests[id] = next
    this.#dirty.add(shard)
    try {
      await this.#journal.append(next)
    } catch (e) {
      if (shard.db.data.requests[id] === next) shard.db.data.requests[id] = current
      this.#logger.error({ event: 'request.update_failed', requestId: id, code: ioCode(e), file: this.#journal.file }, 'request update failed')
      throw e
    }
    return next
  }

  async countOpenByUser(channel: string, userId: string): Promise<number> {
    return (await this.listByUser(channel, userId)).filter(isOpen).length
  }

  async purgeExpired(now: Date, retention: Duration): Promise<number> {
    this.#assertOpen()
    const cutoff = purgeCutoff(now, retention)
    let purged = 0
    const writes: Promise<void>[] = []
    for (const shard of this.#shards.values()) {
      const replaced: [RightsRequest, RightsRequest][] = []
      for (const r of Object.values(shard.db.data.requests)) {
        if (!isPurgeable(r, cutoff)) continue
        const anonymised = purgeRecord(r, now)
        shard.db.data.requests[r.id] = anonymised
        replaced.push([r, anonymised])
      }
      if (replaced.length === 0) continue
      this.#dirty.add(shard)
      writes.push(
        Promise.all(replaced.map(([, after]) => this.#journal.append(after))).then(
          () => void (purged += replaced.length),
          (e: unknown) => {
            // Restore so memory matches disk; the next run retries.
            for (const [before, after] of replaced) if (shard.db.data.requests[before.id] === after) shard.db.data.requests[before.id] = before
            this.#logger.error({ event: 'requests.purge_failed', shard: shard.name, count: replaced.length, code: ioCode(e) }, 'request purge failed')
            throw e
          },
        ),
      )
    }
    const results = await Promise.allSettled(writes)
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failure) throw failure.reason
    if (purged > 0) {
      // The journal still holds the records as they were before the purge: checkpoint it away now.
      await this.#journal.checkpoint()
      this.#logger.info({ event: 'requests.purged', purged }, 'expired requests purged')
    }
    return purged
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#journal.idle()
    await Promise.all([...this.#shards.values()].map((s) => s.adapter.flush()))
    // A failed final checkpoint loses nothing: the journal is replayed at the next open.
    await this.#checkpoint().catch(() => undefined)
    await this.#journal.close()
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(this.#dir)
  }
}
