import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { systemClock } from '../../clock.js'
import { silentLogger, type Logger } from '../../log.js'
import { requestIdMonth } from '../../requests/ids.js'
import type { RightsRequest } from '../../requests/model.js'
import { LOCK_NAME, lockDataDir } from '../data-dir-lock.js'
import { CorruptStoreError, StorageUnavailableError, StoreIoError, ioCode } from '../errors.js'
import { JOURNAL_FILE } from '../file-request-repository.js'
import { isShardData, isStoredRequest } from '../request-schema.js'
import { migrate } from './migrate.js'
import { createPool, inTransaction, type Pool, type PoolClient } from './pool.js'
import { PostgresRequestRepository } from './request-repository.js'
import { OUTBOX_FILE, isOutboxData, type OutboxItem } from '../../outbox/outbox-store.js'
import { readUnanswered, unansweredDir, type UnansweredQuestion } from '../unanswered-log.js'

/**
 * Copying a file-based DATA_DIR into PostgreSQL, for moving from one process to several replicas.
 *
 * DATA_DIR is only read. The stores' own open functions are not used, because each of them may
 * write: FileRequestRepository and JournaledConversationStore replay their journal and then compact
 * it (rewriting the shards or the snapshot and emptying the journal) and cut a torn last line off
 * it; AtomicJsonFile.read (behind every JSON store) deletes temp files left by an interrupted write.
 * The files are read here directly instead, with the same rules: a journal's lines are applied over
 * the files they belong to (the last line for a key wins), a torn last line is ignored (and left
 * where it is), and anything the service itself would refuse to open is refused with the same
 * CorruptStoreError naming the file.
 */

/** The keyed stores: `<name>.json` in DATA_DIR, the kv namespace `<name>` in PostgreSQL (see Storage.keyed). */
export const KEYED_STORES = ['preferences', 'held-notices', 'console-sessions', 'sent-messages'] as const

/** Conversations in progress: a snapshot and its journal in DATA_DIR, the kv namespace 'conversations'. */
const CONVERSATIONS = 'conversations'

/** The requests directory of DATA_DIR (see FileRequestRepository). */
const REQUESTS_DIR = 'requests'

/** A shard file of the requests directory: "2026-11.json", "2026-11.2.json", … (as FileRequestRepository names them). */
const SHARD_FILE = /^(\d{4}-(?:0[1-9]|1[0-2]))(?:\.([2-9]|[1-9]\d+))?\.json$/

/** Rows of kv inserted per statement. */
const KV_ROWS_PER_STATEMENT = 1000

/** How one store went: rows inserted, and rows whose key the database already had (left as they were). */
export interface StoreImport {
  /** 'requests', or the kv namespace. */
  readonly store: string
  readonly copied: number
  readonly alreadyThere: number
}

export interface ImportResult {
  /** DATA_DIR, resolved. */
  readonly dataDir: string
  /** Migrations applied before copying (empty when the schema was up to date). */
  readonly migrationsApplied: readonly string[]
  /** requests, conversations, then the keyed stores, in that order. */
  readonly stores: readonly StoreImport[]
  /**
   * What DATA_DIR holds that was not copied (the outbox, the unanswered-questions log, anything
   * unknown), relative to DATA_DIR; directories end with '/'.
   */
  readonly notCopied: readonly string[]
  /**
   * Journals (relative to DATA_DIR) that end in a torn, never acknowledged line: it was ignored, as
   * the service ignores it, and left in the file.
   */
  readonly tornJournals: readonly string[]
}

export interface ImportOptions {
  /** The DATA_DIR to copy; it must exist and no service may be running on it. */
  readonly dataDir: string
  /** DATABASE_URL (a pool opened and ended here), or a pool (left open). */
  readonly pool: Pool | string
  readonly logger?: Logger
}

/**
 * The database refused a row while copying (a value it cannot store, a constraint): the transaction
 * was rolled back, so nothing was copied. Names the SQLSTATE and constraint, never the row.
 */
export class ImportRefusedError extends Error {
  override readonly name = 'ImportRefusedError'
  constructor(
    readonly code: string,
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`The database refused a row (SQLSTATE ${code}${constraint ? `, constraint ${constraint}` : ''}): the import was rolled back and nothing was copied`, options)
  }
}

/**
 * Copies DATA_DIR into the database: brings the schema up to date, then, in one transaction, every
 * conversation and keyed-store entry into `kv` (updated_at from the file) and every request (all
 * months, as stored: id, state, dates, personal data, audit trail) into `requests`. A row whose key
 * the database already has is never overwritten, so a second run copies nothing, and a database
 * already in use keeps its own rows. Holds DATA_DIR's lock throughout, so a service running on it is
 * refused (DataDirLockedError) and none can start meanwhile; writes nothing in DATA_DIR but the lock,
 * which it removes again.
 */
export async function importDataDir(options: ImportOptions): Promise<ImportResult> {
  const dataDir = path.resolve(options.dataDir)
  const logger = options.logger ?? silentLogger()
  await assertDirectory(dataDir)
  let lost: Error | undefined
  const lock = await lockDataDir(dataDir, { onLost: (e) => void (lost = e) })
  const ownsPool = typeof options.pool === 'string'
  const pool = typeof options.pool === 'string' ? createPool({ connectionString: options.pool, max: 2, logger }) : options.pool
  try {
    const migrationsApplied = await migrate(pool)
    const content = await readDataDir(dataDir)
    // Another process may have taken DATA_DIR while it was read: what was read may be half a write.
    if (lost) throw new StoreIoError(path.join(dataDir, LOCK_NAME), ioCode(lost), 'keep the lock on')
    const stores = await inTransaction(pool, (client) => copy(client, pool, content, logger)).catch((e: unknown) => {
      throw refused(e)
    })
    const result: ImportResult = { dataDir, migrationsApplied, stores, notCopied: content.notCopied, tornJournals: content.tornJournals }
    logger.info({ event: 'import.done', migrationsApplied: migrationsApplied.length, stores, notCopied: content.notCopied }, 'DATA_DIR imported')
    return result
  } finally {
    if (ownsPool) await pool.end().catch(() => undefined)
    await lock.release()
  }
}

/** One key of a kv store as the file holds it. */
interface KvEntry {
  readonly key: string
  readonly value: unknown
  readonly updatedAt: string
}

interface DataDirContent {
  readonly requests: readonly RightsRequest[]
  /** Per kv namespace, in report order. */
  readonly kv: ReadonlyArray<readonly [namespace: string, entries: readonly KvEntry[]]>
  readonly notCopied: readonly string[]
  readonly tornJournals: readonly string[]
  /** Messages still waiting in outbox.json. */
  readonly outbox: readonly OutboxItem[]
  readonly unanswered: readonly UnansweredQuestion[]
}

/**
 * The owner of imported outbox rows: no replica holds its lock, so the elected replica takes them
 * over at its next look (see PostgresOutboxStore.adoptOrphans) and sends them.
 */
const IMPORTED_OWNER = 'imported'

async function copy(client: PoolClient, pool: Pool, content: DataDirContent, logger: Logger): Promise<StoreImport[]> {
  const counts: StoreImport[] = []
  for (const [namespace, entries] of content.kv) {
    const copied = await insertKv(client, namespace, entries)
    counts.push({ store: namespace, copied, alreadyThere: entries.length - copied })
  }
  const repository = new PostgresRequestRepository({ pool, clock: systemClock, logger })
  const copied = await repository.importRecords(content.requests, client)
  counts.unshift({ store: 'requests', copied, alreadyThere: content.requests.length - copied })
  const outbox = await insertOutbox(client, content.outbox)
  counts.push({ store: 'outbox', copied: outbox, alreadyThere: content.outbox.length - outbox })
  const unanswered = await insertUnanswered(client, content.unanswered)
  counts.push({ store: 'unanswered', copied: unanswered, alreadyThere: content.unanswered.length - unanswered })
  return counts
}

async function insertOutbox(client: PoolClient, items: readonly OutboxItem[]): Promise<number> {
  if (items.length === 0) return 0
  const result = await client.query(
    `INSERT INTO outbox (id, owner, seq, item)
     SELECT u.id, $1, u.seq, u.item FROM unnest($2::text[], $3::bigint[], $4::jsonb[]) AS u(id, seq, item)
     ON CONFLICT (id) DO NOTHING`,
    [IMPORTED_OWNER, items.map((i) => i.id), items.map((i) => i.seq), items.map((i) => JSON.stringify(i))],
  )
  return result.rowCount ?? 0
}

/** Questions have no id of their own: one already there at the same time, in the same words, is the same one. */
async function insertUnanswered(client: PoolClient, questions: readonly UnansweredQuestion[]): Promise<number> {
  let inserted = 0
  for (let start = 0; start < questions.length; start += KV_ROWS_PER_STATEMENT) {
    const batch = questions.slice(start, start + KV_ROWS_PER_STATEMENT)
    const result = await client.query(
      `INSERT INTO unanswered (at, lang, q)
       SELECT u.at, u.lang, u.q FROM unnest($1::timestamptz[], $2::text[], $3::text[]) AS u(at, lang, q)
       WHERE NOT EXISTS (SELECT 1 FROM unanswered x WHERE x.at = u.at AND x.lang = u.lang AND x.q = u.q)`,
      [batch.map((q) => q.at), batch.map((q) => q.lang), batch.map((q) => q.q)],
    )
    inserted += result.rowCount ?? 0
  }
  return inserted
}

/** Inserts the entries not yet in the namespace, with the file's updatedAt; resolves with how many. */
async function insertKv(client: PoolClient, namespace: string, entries: readonly KvEntry[]): Promise<number> {
  let inserted = 0
  for (let start = 0; start < entries.length; start += KV_ROWS_PER_STATEMENT) {
    const batch = entries.slice(start, start + KV_ROWS_PER_STATEMENT)
    const result = await client.query(
      `INSERT INTO kv (namespace, key, value, updated_at)
       SELECT $1, u.key, u.value, u.updated_at FROM unnest($2::text[], $3::jsonb[], $4::timestamptz[]) AS u(key, value, updated_at)
       ON CONFLICT (namespace, key) DO NOTHING`,
      [namespace, batch.map((e) => e.key), batch.map((e) => JSON.stringify(e.value)), batch.map((e) => e.updatedAt)],
    )
    inserted += result.rowCount ?? 0
  }
  return inserted
}

/** A database error in the transaction, without its message (which may quote a value from a row). */
function refused(e: unknown): unknown {
  if (e instanceof StorageUnavailableError) return e
  const { code, constraint } = (e ?? {}) as { code?: unknown; constraint?: unknown }
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return e
  return new ImportRefusedError(code, typeof constraint === 'string' ? constraint : undefined, { cause: e })
}

async function assertDirectory(dataDir: string): Promise<void> {
  let isDirectory: boolean
  try {
    isDirectory = (await stat(dataDir)).isDirectory()
  } catch (e) {
    throw StoreIoError.wrap(e, dataDir, 'import from')
  }
  if (!isDirectory) throw new StoreIoError(dataDir, 'ENOTDIR', 'import from')
}

async function readDataDir(dataDir: string): Promise<DataDirContent> {
  const tornJournals: string[] = []
  const torn = (file: string) => tornJournals.push(path.relative(dataDir, file))
  const requests = await readRequests(path.join(dataDir, REQUESTS_DIR), torn)
  const kv: [string, KvEntry[]][] = [[CONVERSATIONS, await readConversations(path.join(dataDir, `${CONVERSATIONS}.json`), torn)]]
  for (const name of KEYED_STORES) kv.push([name, await readKvFile(path.join(dataDir, `${name}.json`))])
  const outbox = await readOutbox(path.join(dataDir, OUTBOX_FILE))
  // Read as `npm run unanswered` reads them: safe beside a writer, a torn line skipped.
  const unanswered = await readUnanswered(unansweredDir(dataDir), new Date(0))
  return { requests, kv, notCopied: await notCopied(dataDir), tornJournals, outbox, unanswered }
}

/**
 * The requests as FileRequestRepository would have them after opening: every shard, then the
 * journal's lines over them (the last line for an id wins). Sorted by id.
 */
async function readRequests(dir: string, torn: (file: string) => void): Promise<RightsRequest[]> {
  const names = (await list(dir)).map((e) => e.name).filter((n) => SHARD_FILE.test(n))
  const records = new Map<string, RightsRequest>()
  const fileOf = new Map<string, string>()
  for (const name of names.sort()) {
    const file = path.join(dir, name)
    const data = await readJson(file)
    if (data === undefined) continue
    if (!isShardData(data)) throw new CorruptStoreError(file, 'unexpected structure')
    for (const record of Object.values(data.requests)) {
      const first = fileOf.get(record.id)
      if (first) throw duplicate(record.id, first, file)
      fileOf.set(record.id, file)
      records.set(record.id, record)
    }
  }
  const journal = path.join(dir, JOURNAL_FILE)
  const { lines, tornTail } = await readJournal(journal, isStoredRequest)
  if (tornTail) torn(journal)
  for (const record of lines) records.set(record.id, record)
  return [...records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** A request in two shard files: the service refuses to open such a directory, and so does the import. */
function duplicate(id: string, first: string, second: string): CorruptStoreError {
  const month = requestIdMonth(id)
  const monthOf = (file: string) => SHARD_FILE.exec(path.basename(file))?.[1]
  // A request belongs to its creation month, so the file of another month is the copy.
  const copy = monthOf(first) !== month ? first : monthOf(second) !== month ? second : undefined
  if (copy) {
    return new CorruptStoreError(copy, `it holds request ${id} of ${month}, which is also in ${copy === first ? second : first}: it looks like a copy`, 'move this file out of the requests directory')
  }
  return new CorruptStoreError(second, `request ${id} is also in ${first}`, 'one of the two files is a copy: move it out of the requests directory')
}

/** One line of the conversations journal (see JournaledConversationStore): a value set, or a key deleted. */
type ConversationLine = { k: string; v: unknown; t: string } | { k: string; d: 1 }

function isConversationLine(value: unknown): value is ConversationLine {
  if (!isObject(value)) return false
  return typeof value.k === 'string' && (value.d === 1 || (typeof value.t === 'string' && 'v' in value))
}

/** Conversations as JournaledConversationStore would have them after opening: the snapshot, then its journal. */
async function readConversations(snapshot: string, torn: (file: string) => void): Promise<KvEntry[]> {
  const entries = new Map<string, KvEntry>()
  for (const entry of await readKvFile(snapshot)) entries.set(entry.key, entry)
  const journal = snapshot.replace(/\.json$/, '') + '.journal'
  const { lines, tornTail } = await readJournal(journal, isConversationLine)
  if (tornTail) torn(journal)
  for (const line of lines) {
    if ('d' in line) {
      entries.delete(line.k)
      continue
    }
    if (!isTimestamp(line.t)) throw new CorruptStoreError(journal, 'a line has an unreadable time')
    entries.set(line.k, { key: line.k, value: line.v, updatedAt: line.t })
  }
  return [...entries.values()]
}

/** The entries of a JsonKeyValueStore file (or a conversations snapshot, the same shape); none when it is missing. */
async function readOutbox(file: string): Promise<OutboxItem[]> {
  const data = await readJson(file)
  if (data === undefined) return []
  if (!isOutboxData(data)) throw new CorruptStoreError(file, 'unexpected structure')
  return Object.values(data.items).sort((a, b) => a.seq - b.seq)
}

async function readKvFile(file: string): Promise<KvEntry[]> {
  const data = await readJson(file)
  if (data === undefined) return []
  if (!isObject(data) || data.version !== 1 || !isObject(data.entries)) throw new CorruptStoreError(file, 'unexpected structure')
  return Object.entries(data.entries).map(([key, entry]) => {
    if (!isObject(entry) || !('value' in entry) || !isTimestamp(entry.updatedAt)) throw new CorruptStoreError(file, 'unexpected structure')
    return { key, value: entry.value, updatedAt: entry.updatedAt }
  })
}

/** A JSON file's content, or undefined when there is no such file. Errors name the file, never its content. */
async function readJson(file: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if (ioCode(e) === 'ENOENT') return undefined
    throw StoreIoError.wrap(e, file, 'read')
  }
  if (text.trim() === '') throw new CorruptStoreError(file, 'empty file')
  try {
    return JSON.parse(text) as unknown
  } catch {
    // The parser's message quotes a fragment of the text, which may be personal data.
    throw new CorruptStoreError(file, 'not valid JSON')
  }
}

/**
 * The lines of an AppendJournal, read as its replay reads them but without cutting anything off
 * the file: a torn tail (a last line cut short, or not ended by a newline) is ignored; a damaged
 * line followed by intact ones throws CorruptStoreError.
 */
async function readJournal<L>(file: string, validate: (value: unknown) => value is L): Promise<{ lines: L[]; tornTail: boolean }> {
  let data: Buffer
  try {
    data = await readFile(file)
  } catch (e) {
    if (ioCode(e) === 'ENOENT') return { lines: [], tornTail: false }
    throw StoreIoError.wrap(e, file, 'read')
  }
  const lines: L[] = []
  let goodEnd = 0
  let badLine: number | undefined
  let line = 0
  for (let start = 0; start < data.length; ) {
    const newline = data.indexOf(0x0a, start)
    const end = newline === -1 ? data.length : newline
    line++
    const text = newline === -1 ? undefined : data.subarray(start, end).toString('utf8')
    if (text !== undefined && text.trim() === '') {
      if (badLine === undefined) goodEnd = end + 1
    } else {
      const value = text === undefined ? NOT_JSON : parseOrNot(text)
      if (value !== NOT_JSON && validate(value)) {
        if (badLine !== undefined) {
          throw new CorruptStoreError(
            file,
            `line ${badLine} is damaged and intact lines follow it`,
            `fix or delete only line ${badLine} (the lines after it hold acknowledged changes), or restore the file from a backup`,
          )
        }
        lines.push(value)
        goodEnd = end + 1
      } else {
        badLine ??= line
      }
    }
    start = end + 1
  }
  return { lines, tornTail: goodEnd < data.length }
}

const NOT_JSON = Symbol('not JSON')

function parseOrNot(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return NOT_JSON
  }
}

/** What DATA_DIR holds besides the stores copied, the lock and temp files of interrupted writes. */
async function notCopied(dataDir: string): Promise<string[]> {
  const copied = new Set([
    REQUESTS_DIR,
    `${CONVERSATIONS}.json`,
    `${CONVERSATIONS}.journal`,
    ...KEYED_STORES.map((n) => `${n}.json`),
    OUTBOX_FILE,
    path.basename(unansweredDir(dataDir)),
    LOCK_NAME,
    `${LOCK_NAME}.owner`,
  ])
  const left: string[] = []
  for (const entry of await list(dataDir)) {
    if (isTempFile(entry.name)) continue
    if (!copied.has(entry.name)) left.push(entry.isDirectory() ? `${entry.name}/` : entry.name)
  }
  for (const entry of await list(path.join(dataDir, REQUESTS_DIR))) {
    if (isTempFile(entry.name) || SHARD_FILE.test(entry.name) || entry.name === JOURNAL_FILE) continue
    left.push(`${REQUESTS_DIR}/${entry.name}${entry.isDirectory() ? '/' : ''}`)
  }
  return left.sort()
}

/** A temp file of an atomic write (".<name>.<random>.tmp"): incomplete by definition. */
const isTempFile = (name: string): boolean => name.startsWith('.') && name.endsWith('.tmp')

/** A directory's entries; none when it does not exist. */
async function list(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (e) {
    if (ioCode(e) === 'ENOENT') return []
    throw StoreIoError.wrap(e, dir, 'list')
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
}
