import { DateTime } from 'luxon'
import type { DailyTime, Scheduler, Task } from '../../src/schedule/scheduler.js'
import type { TestClock } from './test-clock.js'

interface Job {
  when: Date
  task: Task
  daily?: DailyTime
}

function nextDaily(after: Date, t: DailyTime): Date {
  let dt = DateTime.fromJSDate(after, { zone: t.tz }).set({ hour: t.hour, minute: t.minute, second: 0, millisecond: 0 })
  if (dt.toMillis() <= after.getTime()) dt = dt.plus({ days: 1 })
  return dt.toJSDate()
}

/** A Scheduler driven by a test clock: `advanceTo` runs every job that falls due, in time order. */
export class ManualScheduler implements Scheduler {
  private readonly jobs = new Map<string, Job>()

  constructor(private readonly clock: TestClock) {}

  at(key: string, when: Date, task: Task): void {
    this.jobs.set(key, { when, task })
  }

  daily(key: string, time: DailyTime, task: Task): void {
    this.jobs.set(key, { when: nextDaily(this.clock.now(), time), task, daily: time })
  }

  cancel(key: string): void {
    this.jobs.delete(key)
  }

  pendingKeys(): string[] {
    return [...this.jobs.keys()]
  }

  async stop(): Promise<void> {
    this.jobs.clear()
  }

  /** Moves the clock forward to `target`, running due jobs at their own times. */
  async advanceTo(target: Date): Promise<void> {
    for (;;) {
      const due = [...this.jobs.entries()].filter(([, j]) => j.when.getTime() <= target.getTime()).sort(([, a], [, b]) => a.when.getTime() - b.when.getTime())[0]
      if (!due) break
      const [key, job] = due
      if (job.when.getTime() > this.clock.now().getTime()) this.clock.set(job.when)
      if (job.daily) this.jobs.set(key, { ...job, when: nextDaily(job.when, job.daily) })
      else this.jobs.delete(key)
      await job.task()
    }
    if (target.getTime() > this.clock.now().getTime()) this.clock.set(target)
  }

  /** Runs whatever is already due now (e.g. missed follow-ups after a restart). */
  async runDue(): Promise<void> {
    await this.advanceTo(this.clock.now())
  }
}
