import type { Duration } from 'luxon'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { BUSINESS_ZONE } from '../requests/ids.js'
import type { RightsRequest } from '../requests/model.js'
import type { RequestRepository } from '../requests/repository.js'
import type { Scheduler } from './scheduler.js'
import type { StaffNoticeTexts } from '../assistant/notifier.js'
import { hasRunningClock } from '../requests/records.js'
import { CLOCK_STATES, OPEN_STATES } from '../requests/model.js'

/** Where scheduler messages for staff go (every staff OpenID, the Wechaty staff room, …). */
export interface StaffChannel {
  toStaff(text: string): Promise<void>
}

export interface DeadlineDeps {
  readonly requests: RequestRepository
  readonly scheduler: Scheduler
  readonly clock: Clock
  readonly logger: Logger
  readonly staff: StaffChannel
  /** The words of reminders, escalations and the digest. */
  readonly texts: StaffNoticeTexts
  /** Reminders before the due time (REMINDERS). */
  readonly reminders: readonly Duration[]
}

const DAY_MS = 86_400_000
const DUE_SOON_MS = 3 * DAY_MS
/** The audit action that records a follow-up went out, so none is ever sent twice. */
const SENT = 'followup-sent'

interface FollowUp {
  /** Unique per request: "remind:P5D", "overdue:0", "overdue:1", … */
  readonly name: string
  readonly at: Date
  readonly kind: 'reminder' | 'overdue'
}

const isOpenWithClock = (r: RightsRequest): boolean => r.kind === 'rights' && hasRunningClock(r)

/**
 * Keeps the response-window promise: reminders before the due time, an overdue escalation at it and
 * one a day after while the request is open, and a 09:00 digest. Jobs are rebuilt from storage on
 * start; what was sent is recorded in the request's audit trail, so a restart never repeats one.
 */
export class DeadlineKeeper {
  private readonly jobKeys = new Map<string, string[]>()

  constructor(private readonly deps: DeadlineDeps) {}

  /** On start: sends what was missed while stopped (once), schedules the rest, and the daily digest. */
  async start(): Promise<void> {
    const open = (await this.deps.requests.list({ states: [...CLOCK_STATES] })).filter(isOpenWithClock)
    for (const r of open) await this.plan(r)
    this.deps.scheduler.daily('digest', { hour: 9, minute: 0, tz: BUSINESS_ZONE }, () => this.sendDigest())
    this.deps.logger.info({ event: 'deadlines.started', open: open.length })
  }

  /** Call after any change to a request: re-plans its follow-ups (none once it is closed or rejected). */
  async onChange(r: RightsRequest): Promise<void> {
    await this.plan(r)
  }

  private followUps(r: RightsRequest, now: Date): FollowUp[] {
    const due = Date.parse(r.dueAt!)
    const verified = Date.parse(r.verifiedAt ?? r.createdAt)
    // Reminders fall between verification and the due time; once it is due, the escalation says it all.
    const list: FollowUp[] =
      now.getTime() >= due
        ? []
        : this.deps.reminders
            .map((d) => ({ name: `remind:${d.toISO()}`, at: new Date(due - d.toMillis()), kind: 'reminder' as const }))
            .filter((f) => f.at.getTime() > verified)
    // Escalations: at the due time, then daily. Only the latest one already passed and the next one matter.
    const passed = Math.max(0, Math.floor((now.getTime() - due) / DAY_MS))
    const from = now.getTime() >= due ? passed : 0
    for (let k = from; k <= from + 1; k++) list.push({ name: `overdue:${k}`, at: new Date(due + k * DAY_MS), kind: 'overdue' })
    return list
  }

  private sent(r: RightsRequest): Set<string> {
    return new Set(r.audit.filter((a) => a.action === SENT && a.note).map((a) => a.note!))
  }

  private async plan(r: RightsRequest): Promise<void> {
    for (const key of this.jobKeys.get(r.id) ?? []) this.deps.scheduler.cancel(key)
    this.jobKeys.delete(r.id)
    if (!isOpenWithClock(r)) return
    const now = this.deps.clock.now()
    const done = this.sent(r)
    const keys: string[] = []
    for (const f of this.followUps(r, now)) {
      if (done.has(f.name)) continue
      const key = `${r.id}:${f.name}`
      keys.push(key)
      this.deps.scheduler.at(key, f.at, () => this.fire(r.id, f))
    }
    this.jobKeys.set(r.id, keys)
  }

  /** Sends one follow-up if the request still needs it and it was not sent before. */
  private async fire(id: string, f: FollowUp): Promise<void> {
    const r = await this.deps.requests.get(id)
    if (!r || !isOpenWithClock(r) || this.sent(r).has(f.name)) return
    const now = this.deps.clock.now()
    // Recorded before sending: the outbox behind `staff` makes the send itself durable, and a crash
    // between the two must not produce a second copy after restart.
    const updated = await this.deps.requests.update(id, () => {}, { actor: 'system', action: SENT, note: f.name })
    await this.deps.staff.toStaff(f.kind === 'reminder' ? this.deps.texts.reminder(updated, now) : this.deps.texts.overdue(updated, now))
    this.deps.logger.info({ event: `deadlines.${f.kind}`, id, followUp: f.name })
    if (f.kind === 'overdue') await this.plan(updated)
  }

  /** The 09:00 digest: overdue, due within 3 days, and requests waiting for identity verification. */
  async sendDigest(): Promise<void> {
    const now = this.deps.clock.now()
    const open = await this.deps.requests.list({ states: [...OPEN_STATES] })
    const rights = open.filter((r) => r.kind === 'rights')
    const overdue = rights.filter((r) => r.dueAt && Date.parse(r.dueAt) <= now.getTime())
    const dueSoon = rights.filter((r) => r.dueAt && Date.parse(r.dueAt) > now.getTime() && Date.parse(r.dueAt) - now.getTime() <= DUE_SOON_MS)
    const unverified = rights.filter((r) => r.state === 'submitted')
    if (overdue.length + dueSoon.length + unverified.length === 0) return
    const byDue = (a: RightsRequest, b: RightsRequest): number => (a.dueAt ?? a.createdAt).localeCompare(b.dueAt ?? b.createdAt)
    await this.deps.staff.toStaff(this.deps.texts.digest({ overdue: overdue.sort(byDue), dueSoon: dueSoon.sort(byDue), unverified: unverified.sort(byDue) }, now))
    this.deps.logger.info({ event: 'deadlines.digest', overdue: overdue.length, dueSoon: dueSoon.length, unverified: unverified.length })
  }
}
