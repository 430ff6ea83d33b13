import pg from 'pg'
import { errorSummary, type Logger } from '../../log.js'
import type { Leadership } from '../../schedule/leadership.js'
import { unavailableCode } from './unavailable.js'

/** Session advisory-lock key of the elected replica ("lead" in ASCII); the migration lock is another. */
export const LEADER_LOCK_KEY = 0x6c656164

export interface PostgresLeadershipOptions {
  readonly url: string
  readonly logger: Logger
  /** How often a replica stands for election, and the leader checks its connection (default 2 s). */
  readonly intervalMs?: number
}

/**
 * Election through PostgreSQL: the replica holding a session advisory lock on LEADER_LOCK_KEY leads.
 * The lock lives with the leader's own connection, so when the leader dies (or loses the database)
 * the server releases it and another replica takes it at its next try, within `intervalMs`. The
 * leader checks its connection on the same beat and steps down as soon as it is gone.
 */
export class PostgresLeadership implements Leadership {
  readonly #options: PostgresLeadershipOptions
  #client: pg.Client | undefined
  #leading = false
  #timer: NodeJS.Timeout | undefined
  #busy = false
  #lead: () => Promise<void> = async () => {}
  #stepDown: () => Promise<void> = async () => {}

  constructor(options: PostgresLeadershipOptions) {
    this.#options = options
  }

  get leading(): boolean {
    return this.#leading
  }

  async start(lead: () => Promise<void>, stepDown: () => Promise<void>): Promise<void> {
    this.#lead = lead
    this.#stepDown = stepDown
    this.#timer = setInterval(() => void this.#beat(), this.#options.intervalMs ?? 2_000)
    await this.#beat()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#lose('stopped')
    await this.#client?.end().catch(() => undefined)
    this.#client = undefined
  }

  async #beat(): Promise<void> {
    if (this.#busy) return
    this.#busy = true
    try {
      const client = await this.#connection()
      if (this.#leading) {
        await client.query('SELECT 1')
        return
      }
      const { rows } = await client.query<{ won: boolean }>('SELECT pg_try_advisory_lock($1) AS won', [LEADER_LOCK_KEY])
      if (!rows[0]?.won || !this.#timer) return
      this.#leading = true
      this.#options.logger.info({ event: 'leadership.elected' }, 'this replica runs the scheduled work')
      await this.#lead()
    } catch (e) {
      this.#options.logger.warn({ event: 'leadership.check_failed', code: unavailableCode(e), ...errorSummary(e) })
      await this.#drop()
    } finally {
      this.#busy = false
    }
  }

  async #connection(): Promise<pg.Client> {
    if (this.#client) return this.#client
    const client = new pg.Client({ connectionString: this.#options.url, keepAlive: true, connectionTimeoutMillis: 5_000 })
    // A broken connection ends the leadership: the server has released the lock with it.
    client.on('error', () => void this.#drop())
    client.on('end', () => {
      if (this.#client === client) void this.#drop()
    })
    this.#client = client
    try {
      await client.connect()
    } catch (e) {
      this.#client = undefined
      throw e
    }
    return client
  }

  async #drop(): Promise<void> {
    const client = this.#client
    this.#client = undefined
    client?.end().catch(() => undefined)
    await this.#lose('connection-lost')
  }

  async #lose(reason: string): Promise<void> {
    if (!this.#leading) return
    this.#leading = false
    // Stopping is the normal end; losing the connection is worth a warning.
    const level = reason === 'stopped' ? 'info' : 'warn'
    this.#options.logger[level]({ event: 'leadership.lost', reason }, 'this replica no longer runs the scheduled work')
    await this.#stepDown().catch((e: unknown) => this.#options.logger.error({ event: 'leadership.step_down_failed', ...errorSummary(e) }))
  }
}
