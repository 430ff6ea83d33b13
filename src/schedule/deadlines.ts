import type { Duration } from 'luxon'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { BUSINESS_ZONE } from '../requests/ids.js'
import type { RightsRequest } from '../requests/model.js'
import type { RequestRepository } from '../requests/repository.js'
import type { Scheduler } from './scheduler.js'
import type { StaffNoticeTexts } from '../assistant/notifier.js'
import { RequestNotFoundError } from '../requests/errors.js'
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
  /** One of several replicas: keeps no deadlines until elected (start). A single process keeps them from the first change. */
  readonly standby?: boolean
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

/** Thrown inside the recording update when the follow-up is no longer due: nothing is written or sent. */
class NotDue extends Error {}

/**
 * Keeps the response-window promise: reminders before the due time, an overdue escalation at it and
 * one a day after while the request is open, and a 09:00 digest. Jobs are rebuilt from storage on
 * start; what was sent is recorded in the request's audit trail, under the request's own lock, before
 * it is sent: a restart or a second replica never repeats one.
 *
 * With several replicas only the one elected to run the scheduler keeps deadlines: it calls start,
 * re-reads storage now and then (`resync`) for requests other replicas changed, and stop when it
 * steps down. Elsewhere onChange does nothing.
 */
export class DeadlineKeeper {
  readonly #jobKeys = new Map<string, string[]>()
  #active: boolean
  readonly #deps: DeadlineDeps

  constructor(deps: DeadlineDeps) {
    this.#deps = deps
    this.#active = !deps.standby
  }

  /** On start: sends what was missed while stopped (once), schedules the rest, and the daily digest. */
  async start(): Promise<void> {
    this.#active = true
    const open = await this.resync()
    this.#deps.scheduler.daily('digest', { hour: 9, minute: 0, tz: BUSINESS_ZONE }, () => this.sendDigest())
    this.#deps.logger.info({ event: 'deadlines.started', open })
  }

  /** Plans every request whose clock runs, from storage; returns how many. */
  async resync(): Promise<number> {
    if (!this.#active) return 0
    const open = (await this.#deps.requests.list({ states: [...CLOCK_STATES] })).filter(isOpenWithClock)
    const ids = new Set(open.map((r) => r.id))
    // Requests closed elsewhere lose their jobs.
    for (const id of [...this.#jobKeys.keys()]) if (!ids.has(id)) this.#unplan(id)
    for (const r of open) await this.#plan(r)
    return open.length
  }

  /** Steps down: cancels every follow-up and the digest (another replica keeps deadlines now). */
  stop(): void {
    this.#active = false
    for (const id of [...this.#jobKeys.keys()]) this.#unplan(id)
    this.#deps.scheduler.cancel('digest')
  }

  /** Call after any change to a request: re-plans its follow-ups (none once it is closed or rejected). */
  async onChange(r: RightsRequest): Promise<void> {
    if (this.#active) await this.#plan(r)
  }

  #unplan(id: string): void {
    for (const key of this.#jobKeys.get(id) ?? []) this.#deps.scheduler.cancel(key)
    this.#jobKeys.delete(id)
  }

  #followUps(r: RightsRequest, now: Date): FollowUp[] {
    const due = Date.parse(r.dueAt!)
    const verified = Date.parse(r.verifiedAt ?? r.createdAt)
    // Reminders fall between verification and the due time; once it is due, the escalation says it all.
    const list: FollowUp[] =
      now.getTime() >= due
        ? []
        : this.#deps.reminders
            .map((d) => ({ name: `remind:${d.toISO()}`, at: new Date(due - d.toMillis()), kind: 'reminder' as const }))
            .filter((f) => f.at.getTime() > verified)
    // Escalations: at the due time, then daily. Only the latest one already passed and the next one matter.
    const passed = Math.max(0, Math.floor((now.getTime() - due) / DAY_MS))
    const from = now.getTime() >= due ? passed : 0
    for (let k = from; k <= from + 1; k++) list.push({ name: `overdue:${k}`, at: new Date(due + k * DAY_MS), kind: 'overdue' })
    return list
  }

  #sent(r: RightsRequest): Set<string> {
    return new Set(r.audit.filter((a) => a.action === SENT && a.note).map((a) => a.note!))
  }

  async #plan(r: RightsRequest): Promise<void> {
    this.#unplan(r.id)
    if (!isOpenWithClock(r)) return
    const now = this.#deps.clock.now()
    const done = this.#sent(r)
    const keys: string[] = []
    for (const f of this.#followUps(r, now)) {
      if (done.has(f.name)) continue
      const key = `${r.id}:${f.name}`
      keys.push(key)
      this.#deps.scheduler.at(key, f.at, () => this.#fire(r.id, f))
    }
    this.#jobKeys.set(r.id, keys)
  }

  /** Sends one follow-up if the request still needs it and it was not sent before. */
  async #fire(id: string, f: FollowUp): Promise<void> {
    const now = this.#deps.clock.now()
    // Recorded before sending, and checked inside the same update (which locks the request): the
    // outbox behind `staff` makes the send itself durable, and neither a crash between the two nor a
    // second replica firing the same follow-up produces a second copy.
    let updated: RightsRequest
    try {
      updated = await this.#deps.requests.update(
        id,
        (current) => {
          if (!isOpenWithClock(current) || this.#sent(current).has(f.name)) throw new NotDue()
        },
        { actor: 'system', action: SENT, note: f.name },
      )
    } catch (e) {
      if (e instanceof NotDue || e instanceof RequestNotFoundError) return
      throw e
    }
    await this.#deps.staff.toStaff(f.kind === 'reminder' ? this.#deps.texts.reminder(updated, now) : this.#deps.texts.overdue(updated, now))
    this.#deps.logger.info({ event: `deadlines.${f.kind}`, id, followUp: f.name })
    if (f.kind === 'overdue') await this.#plan(updated)
  }

  /** The 09:00 digest: overdue, due within 3 days, and requests waiting for identity verification. */
  async sendDigest(): Promise<void> {
    const now = this.#deps.clock.now()
    const open = await this.#deps.requests.list({ states: [...OPEN_STATES] })
    const rights = open.filter((r) => r.kind === 'rights')
    const overdue = rights.filter((r) => r.dueAt && Date.parse(r.dueAt) <= now.getTime())
    const dueSoon = rights.filter((r) => r.dueAt && Date.parse(r.dueAt) > now.getTime() && Date.parse(r.dueAt) - now.getTime() <= DUE_SOON_MS)
    const unverified = rights.filter((r) => r.state === 'submitted')
    if (overdue.length + dueSoon.length + unverified.length === 0) return
    const byDue = (a: RightsRequest, b: RightsRequest): number => (a.dueAt ?? a.createdAt).localeCompare(b.dueAt ?? b.createdAt)
    await this.#deps.staff.toStaff(this.#deps.texts.digest({ overdue: overdue.sort(byDue), dueSoon: dueSoon.sort(byDue), unverified: unverified.sort(byDue) }, now))
    this.#deps.logger.info({ event: 'deadlines.digest', overdue: overdue.length, dueSoon: dueSoon.length, unverified: unverified.length })
  }
}
