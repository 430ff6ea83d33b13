import type { Lang } from '../../lang.js'
import { errorSummary, type Logger } from '../../log.js'
import { keptQuestion, type UnansweredLog, type UnansweredQuestion } from '../unanswered-log.js'
import { query, type Pool } from './pool.js'

/** Unanswered questions in the shared `unanswered` table, masked as in the files and without who asked. */
export class PostgresUnansweredLog implements UnansweredLog {
  #closed = false
  readonly #pool: Pool
  readonly #logger: Logger

  constructor(pool: Pool, logger: Logger) {
    this.#pool = pool
    this.#logger = logger
  }

  /** Masks and inserts in the background; never throws and never delays the reply. */
  record(question: string, lang: Lang, at: Date): void {
    const kept = keptQuestion(question, lang, at)
    if (!kept || this.#closed) return
    query(this.#pool, 'INSERT INTO unanswered (at, lang, q) VALUES ($1, $2, $3)', [kept.at, kept.lang, kept.q]).catch((e: unknown) =>
      this.#logger.warn({ event: 'unanswered.record_failed', ...errorSummary(e) }, 'could not keep an unanswered question'),
    )
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    return (await query(this.#pool, 'DELETE FROM unanswered WHERE at < $1', [cutoff])).rowCount ?? 0
  }

  async read(since: Date): Promise<UnansweredQuestion[]> {
    const { rows } = await query<{ q: string; lang: Lang; at: Date }>(this.#pool, 'SELECT q, lang, at FROM unanswered WHERE at >= $1 ORDER BY at, id', [since])
    return rows.map((r) => ({ q: r.q, lang: r.lang, at: r.at.toISOString() }))
  }

  async close(): Promise<void> {
    this.#closed = true
  }
}
