import type { Duration } from 'luxon'
import type { Clock } from '../../clock.js'
import type { Logger } from '../../log.js'
import { RequestNotFoundError } from '../../requests/errors.js'
import { newRequestId } from '../../requests/ids.js'
import { OPEN_STATES, type AuditInput, type NewRequest, type RequestChange, type RequestFilter, type RightsRequest } from '../../requests/model.js'
import { applyChange, buildRecord, byCreation, deepFreeze, isPurgeable, purgeCutoff, purgeRecord } from '../../requests/records.js'
import type { RequestRepository } from '../../requests/repository.js'
import { StoreClosedError } from '../errors.js'
import { createPool, inTransaction, query, type Pool, type PoolClient } from './pool.js'

export interface PostgresRequestRepositoryOptions {
  /** A pool shared with other stores (left open by close), or a connection string (a pool owned and ended here). */
  pool: Pool | string
  clock: Clock
  logger: Logger
  /** With a connection string: the pool's size (default 10). */
  poolMax?: number
}

/** Fresh ids tried before create gives up; a collision is one in 10^9 per day, so 5 is plenty. */
const CREATE_ATTEMPTS = 5

/** The columns every write sets, derived from the record so they never disagree with it. */
const COLUMNS = 'id, channel, user_id, kind, state, created_at, closed_at, purged_at, record'

function columnValues(r: RightsRequest): unknown[] {
  return [r.id, r.channel, r.userId, r.kind, r.state, r.createdAt, r.closedAt ?? null, r.purgedAt ?? null, JSON.stringify(r)]
}

const UPDATE_ROW = 'UPDATE requests SET state = $2, closed_at = $3, purged_at = $4, record = $5 WHERE id = $1'

function updateValues(r: RightsRequest): unknown[] {
  return [r.id, r.state, r.closedAt ?? null, r.purgedAt ?? null, JSON.stringify(r)]
}

const toRecord = (row: { record: unknown }): RightsRequest => deepFreeze(row.record as RightsRequest)

/**
 * Requests in PostgreSQL, one row each: the whole record (audit trail included) as jsonb, plus
 * indexed copies of the fields queries select on. Several processes may share the database: an
 * update locks its row (SELECT … FOR UPDATE) for the read-modify-write, so concurrent updates of one
 * request serialise instead of losing each other. The schema comes from migrate().
 *
 * A failed connection surfaces as StorageUnavailableError.
 */
export class PostgresRequestRepository implements RequestRepository {
  readonly #pool: Pool
  readonly #ownsPool: boolean
  readonly #clock: Clock
  readonly #logger: Logger
  #closed = false

  constructor(options: PostgresRequestRepositoryOptions) {
    this.#ownsPool = typeof options.pool === 'string'
    this.#pool = typeof options.pool === 'string' ? createPool({ connectionString: options.pool, max: options.poolMax, logger: options.logger }) : options.pool
    this.#clock = options.clock
    this.#logger = options.logger
  }

  async create(input: NewRequest, audit: AuditInput = { actor: 'user', action: 'created' }): Promise<RightsRequest> {
    this.#assertOpen()
    for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
      const record = buildRecord(newRequestId(this.#clock), input, this.#clock.now(), audit)
      // ON CONFLICT instead of catching 23505: a colliding id just draws another one.
      const result = await query(this.#pool, `INSERT INTO requests (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`, columnValues(record))
      if (result.rowCount === 1) return record
      this.#logger.warn({ event: 'request.id_collision', attempt }, 'request id already taken; drawing another')
    }
    throw new Error(`No free request id after ${CREATE_ATTEMPTS} attempts`)
  }

  async get(id: string): Promise<RightsRequest | undefined> {
    const { rows } = await query<{ record: unknown }>(this.#pool, 'SELECT record FROM requests WHERE id = $1', [id])
    return rows[0] ? toRecord(rows[0]) : undefined
  }

  async listByUser(channel: string, userId: string): Promise<RightsRequest[]> {
    return this.#select('channel = $1 AND user_id = $2', [channel, userId])
  }

  async list(filter?: RequestFilter): Promise<RightsRequest[]> {
    const where: string[] = []
    const values: unknown[] = []
    if (filter?.states) where.push(`state = ANY($${values.push([...filter.states])}::text[])`)
    if (filter?.kind) where.push(`kind = $${values.push(filter.kind)}`)
    return this.#select(where.join(' AND ') || 'true', values)
  }

  async update(id: string, change: RequestChange, audit: AuditInput): Promise<RightsRequest> {
    this.#assertOpen()
    return inTransaction(this.#pool, async (client) => {
      const current = await this.#lockRow(client, id)
      if (!current) throw new RequestNotFoundError(id)
      const next = applyChange(current, change, audit, this.#clock.now())
      await client.query(UPDATE_ROW, updateValues(next))
      return next
    })
  }

  async countOpenByUser(channel: string, userId: string): Promise<number> {
    const { rows } = await query<{ n: number }>(
      this.#pool,
      'SELECT count(*)::int AS n FROM requests WHERE channel = $1 AND user_id = $2 AND state = ANY($3::text[])',
      [channel, userId, [...OPEN_STATES]],
    )
    return rows[0]?.n ?? 0
  }

  async purgeExpired(now: Date, retention: Duration): Promise<number> {
    this.#assertOpen()
    const cutoff = purgeCutoff(now, retention)
    const purged = await inTransaction(this.#pool, async (client) => {
      const { rows } = await client.query<{ record: unknown }>(
        `SELECT record FROM requests
          WHERE purged_at IS NULL AND state IN ('closed', 'rejected') AND closed_at < $1
          FOR UPDATE`,
        [cutoff],
      )
      // The shared rule decides; the WHERE clause only narrows the rows read.
      const anonymised = rows.map(toRecord).filter((r) => isPurgeable(r, cutoff)).map((r) => purgeRecord(r, now))
      if (anonymised.length === 0) return 0
      await client.query(
        `UPDATE requests AS r SET purged_at = u.purged_at, record = u.record
           FROM unnest($1::text[], $2::timestamptz[], $3::jsonb[]) AS u(id, purged_at, record)
          WHERE r.id = u.id`,
        [anonymised.map((r) => r.id), anonymised.map((r) => r.purgedAt), anonymised.map((r) => JSON.stringify(r))],
      )
      return anonymised.length
    })
    if (purged > 0) this.#logger.info({ event: 'requests.purged', purged }, 'expired requests purged')
    return purged
  }

  /**
   * Stores records exactly as they are — ids, states, dates and audit trails unchanged — as when a
   * DATA_DIR is imported. A record whose id the database already holds is left as the database has
   * it (never overwritten). Runs on `client` when given (the caller's transaction), else on the pool,
   * a few hundred rows per statement. Resolves with how many records were inserted.
   */
  async importRecords(records: readonly RightsRequest[], client?: PoolClient): Promise<number> {
    this.#assertOpen()
    const width = COLUMNS.split(',').length
    const rowsPerStatement = 500
    let inserted = 0
    for (let start = 0; start < records.length; start += rowsPerStatement) {
      const batch = records.slice(start, start + rowsPerStatement)
      const tuples = batch.map((_, row) => `(${Array.from({ length: width }, (_, col) => `$${row * width + col + 1}`).join(', ')})`)
      const text = `INSERT INTO requests (${COLUMNS}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING`
      const values = batch.flatMap(columnValues)
      const result = client ? await client.query(text, values) : await query(this.#pool, text, values)
      inserted += result.rowCount ?? 0
    }
    return inserted
  }

  /** Ends the pool when this repository created it; a shared pool is its owner's to end. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsPool) await this.#pool.end()
  }

  async #lockRow(client: PoolClient, id: string): Promise<RightsRequest | undefined> {
    const { rows } = await client.query<{ record: unknown }>('SELECT record FROM requests WHERE id = $1 FOR UPDATE', [id])
    return rows[0] ? toRecord(rows[0]) : undefined
  }

  async #select(where: string, values: unknown[]): Promise<RightsRequest[]> {
    const { rows } = await query<{ record: unknown }>(this.#pool, `SELECT record FROM requests WHERE ${where}`, values)
    // Sorted here with the shared comparator, so the order is the other repositories' exactly.
    return rows.map(toRecord).sort(byCreation)
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('postgres:requests')
  }
}
