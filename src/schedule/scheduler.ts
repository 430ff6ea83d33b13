import schedule from 'node-schedule'
import type { Clock } from '../clock.js'
import { errorSummary, type Logger } from '../log.js'

export type Task = () => Promise<void> | void

export interface DailyTime {
  readonly hour: number
  readonly minute: number
  /** IANA zone, e.g. Asia/Shanghai. */
  readonly tz: string
}

/**
 * Timed work behind a small interface so tests can drive a whole 15-day life with a manual clock.
 * Keys identify jobs: scheduling a key again replaces the earlier job.
 */
export interface Scheduler {
  /** Runs `task` once at `when`; a time already past runs as soon as possible. */
  at(key: string, when: Date, task: Task): void
  /** Runs `task` every day at the given local time. */
  daily(key: string, time: DailyTime, task: Task): void
  cancel(key: string): void
  /** Keys of jobs still pending, for tests and metrics. */
  pendingKeys(): string[]
  /** Cancels everything and waits for running tasks. */
  stop(): Promise<void>
}

/** The real scheduler on node-schedule. Task errors are logged, never thrown into the timer. */
export class NodeScheduler implements Scheduler {
  readonly #jobs = new Map<string, schedule.Job | NodeJS.Timeout>()
  readonly #running = new Set<Promise<void>>()
  readonly #clock: Clock
  readonly #logger: Logger

  constructor(clock: Clock, logger: Logger) {
    this.#clock = clock
    this.#logger = logger
  }

  #run(key: string, task: Task, once: boolean): void {
    if (once) this.#jobs.delete(key)
    const p = (async () => {
      try {
        await task()
      } catch (err) {
        this.#logger.error({ event: 'schedule.task_failed', key: key.replace(/PR-\S+?:/, 'PR-…:'), ...errorSummary(err) })
      }
    })()
    this.#running.add(p)
    void p.finally(() => this.#running.delete(p))
  }

  at(key: string, when: Date, task: Task): void {
    this.cancel(key)
    if (when.getTime() <= this.#clock.now().getTime()) {
      // node-schedule ignores dates in the past; run it on the next tick instead.
      const timer = setTimeout(() => this.#run(key, task, true), 0)
      this.#jobs.set(key, timer)
      return
    }
    const job = schedule.scheduleJob(when, () => this.#run(key, task, true))
    if (job) this.#jobs.set(key, job)
    else this.#jobs.set(key, setTimeout(() => this.#run(key, task, true), 0))
  }

  daily(key: string, time: DailyTime, task: Task): void {
    this.cancel(key)
    const rule = new schedule.RecurrenceRule()
    rule.hour = time.hour
    rule.minute = time.minute
    rule.second = 0
    rule.tz = time.tz
    this.#jobs.set(key, schedule.scheduleJob(rule, () => this.#run(key, task, false)))
  }

  cancel(key: string): void {
    const job = this.#jobs.get(key)
    if (!job) return
    if (job instanceof schedule.Job) job.cancel()
    else clearTimeout(job)
    this.#jobs.delete(key)
  }

  pendingKeys(): string[] {
    return [...this.#jobs.keys()]
  }

  async stop(): Promise<void> {
    for (const key of [...this.#jobs.keys()]) this.cancel(key)
    await Promise.allSettled([...this.#running])
  }
}
