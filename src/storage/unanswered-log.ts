import { readdir, readFile, unlink } from 'node:fs/promises'
import path from 'node:path'
import { DateTime } from 'luxon'
import type { UnansweredRecorder } from '../assistant/unanswered.js'
import type { Lang } from '../lang.js'
import type { Logger } from '../log.js'
import { maskPersonalData } from '../personal-data.js'
import { AppendJournal } from './append-journal.js'
import { ioCode } from './errors.js'
import { ensureDir } from './fs-utils.js'
import type { StorageHealth } from './health.js'

/** One question the policy could not answer: masked, and without who asked. */
export interface UnansweredQuestion {
  readonly q: string
  readonly lang: Lang
  /** ISO time it was asked. */
  readonly at: string
}

/** Questions the policy could not answer, kept for staff (a file a day, or a database table). */
export interface UnansweredLog extends UnansweredRecorder {
  /** Deletes what was asked before `cutoff`; returns how many days (files) or questions (rows) went. */
  purgeBefore(cutoff: Date): Promise<number>
  /** Every question kept since `since`, oldest first. */
  read(since: Date): Promise<UnansweredQuestion[]>
  close(): Promise<void>
}

/** The question as it is kept: personal data masked, trimmed to MAX_CHARS; undefined when nothing is left. */
export function keptQuestion(question: string, lang: Lang, at: Date): UnansweredQuestion | undefined {
  const q = maskPersonalData(question.trim()).slice(0, MAX_CHARS)
  return q === '' ? undefined : { q, lang, at: at.toISOString() }
}

/** Where questions the policy could not answer are kept, a file a day. */
export const unansweredDir = (dataDir: string): string => path.join(dataDir, 'unanswered')

/** Longest question kept: enough to see what was asked, not a place to store essays. */
const MAX_CHARS = 300
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.ndjson$/
const ZONE = 'Asia/Shanghai'

function isUnanswered(value: unknown): value is UnansweredQuestion {
  const v = value as Partial<UnansweredQuestion> | null
  return typeof v?.q === 'string' && (v.lang === 'zh' || v.lang === 'en') && typeof v.at === 'string'
}

const dayOf = (at: Date): string => DateTime.fromJSDate(at, { zone: ZONE }).toISODate() ?? 'unknown'

/**
 * Unanswered questions in `DATA_DIR/unanswered/<Shanghai day>.ndjson`, one appended line each.
 * A file a day makes the retention purge a matter of deleting whole old files (nothing is ever
 * rewritten), and lets `npm run unanswered` read them beside a running service.
 */
export class FileUnansweredLog implements UnansweredLog {
  readonly #dir: string
  readonly #logger: Logger
  readonly #health: StorageHealth | undefined
  #day: { name: string; journal: Promise<AppendJournal<UnansweredQuestion>> } | undefined
  #closed = false

  constructor(dir: string, logger: Logger, health?: StorageHealth) {
    this.#dir = dir
    this.#logger = logger
    this.#health = health
  }

  /** Masks and appends; never throws and never delays the reply (a failure is logged by code). */
  record(question: string, lang: Lang, at: Date): void {
    const kept = keptQuestion(question, lang, at)
    if (!kept || this.#closed) return
    this.#journalFor(dayOf(at))
      .then((journal) => journal.append(kept))
      .catch((e: unknown) => this.#logger.warn({ event: 'unanswered.record_failed', code: ioCode(e) }, 'could not keep an unanswered question'))
  }

  /** Deletes the days before `cutoff`; returns how many files went. */
  async purgeBefore(cutoff: Date): Promise<number> {
    const keepFrom = dayOf(cutoff)
    let removed = 0
    for (const name of await listDays(this.#dir)) {
      if (name.slice(0, 10) >= keepFrom) continue
      await unlink(path.join(this.#dir, name))
      removed++
    }
    return removed
  }

  read(since: Date): Promise<UnansweredQuestion[]> {
    return readUnanswered(this.#dir, since)
  }

  async close(): Promise<void> {
    this.#closed = true
    const day = this.#day
    this.#day = undefined
    if (day) await (await day.journal.catch(() => undefined))?.close()
  }

  #journalFor(name: string): Promise<AppendJournal<UnansweredQuestion>> {
    if (this.#day?.name === name) return this.#day.journal
    const previous = this.#day
    const journal = this.#open(name)
    this.#day = { name, journal }
    // The day before is finished: let its pending lines out, then close it.
    if (previous) void previous.journal.then((j) => j.close()).catch(() => undefined)
    // A day that failed to open is tried again with the next question.
    journal.catch(() => {
      if (this.#day?.journal === journal) this.#day = undefined
    })
    return journal
  }

  async #open(name: string): Promise<AppendJournal<UnansweredQuestion>> {
    await ensureDir(this.#dir)
    const journal = new AppendJournal<UnansweredQuestion>(path.join(this.#dir, `${name}.ndjson`), {
      validate: isUnanswered,
      // Analytics, not requests: surviving a crash of the process is enough.
      sync: false,
      checkpointBytes: Number.POSITIVE_INFINITY,
      onFull: async () => undefined,
      logger: this.#logger,
      health: this.#health,
    })
    // Cuts a torn tail left by a crash, so the day's file stays whole lines.
    await journal.replay()
    await journal.open()
    return journal
  }
}

async function listDays(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => DAY_FILE.test(n)).sort()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
}

/**
 * Every question kept since `since`, oldest first, read without opening anything for writing (safe
 * beside a running service). Unreadable lines — a line being written right now — are skipped.
 */
export async function readUnanswered(dir: string, since: Date): Promise<UnansweredQuestion[]> {
  const from = dayOf(since)
  const out: UnansweredQuestion[] = []
  for (const name of await listDays(dir)) {
    if (name.slice(0, 10) < from) continue
    const text = await readFile(path.join(dir, name), 'utf8')
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      try {
        const value: unknown = JSON.parse(line)
        if (isUnanswered(value) && Date.parse(value.at) >= since.getTime()) out.push(value)
      } catch {
        // A torn or half-written line says nothing useful.
      }
    }
  }
  return out
}
