import { DateTime } from 'luxon'
import { isOverdue } from '../assistant/staff/views.js'
import { BUSINESS_ZONE } from '../requests/ids.js'
import { OPEN_STATES, type RightsRequest } from '../requests/model.js'

const DAY_MS = 86_400_000

/** The dashboard's figures. */
export interface Figures {
  readonly open: number
  readonly overdue: number
  readonly dueSoon: number
  readonly awaitingVerification: number
  /** Share answered by the due date, over requests due or answered in the last `periodDays`; undefined with none. */
  readonly onTime?: { readonly rate: number; readonly onTime: number; readonly considered: number }
  /** Median days from verification to the first reply, over first replies in the period. */
  readonly medianDaysToReply?: number
  readonly periodDays: number
}

/** When a request was first answered: its first reply, else its closing (a rejection answers too). */
export function answeredAt(r: RightsRequest): string | undefined {
  return r.replies[0]?.at ?? r.closedAt
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/**
 * Counts over open rights requests (opt-outs are done when filed), and two measures of the last
 * `periodDays`: the on-time rate — of the verified requests answered in the period or due in it, the
 * share answered by their due time (one still unanswered past its due time counts as late) — and the
 * median days from verification to the first reply.
 */
export function dashboardFigures(all: readonly RightsRequest[], now: Date, periodDays = 90): Figures {
  const t = now.getTime()
  const since = t - periodDays * DAY_MS
  const rights = all.filter((r) => r.kind === 'rights' && r.type !== 'marketing-opt-out')
  const open = rights.filter((r) => OPEN_STATES.has(r.state))
  const inPeriod = (iso: string | undefined): boolean => iso !== undefined && Date.parse(iso) >= since && Date.parse(iso) <= t

  let considered = 0
  let onTime = 0
  const days: number[] = []
  for (const r of rights) {
    if (!r.verifiedAt || !r.dueAt) continue
    const answered = answeredAt(r)
    const answeredInPeriod = inPeriod(answered)
    if (answeredInPeriod || (inPeriod(r.dueAt) && (answered === undefined || Date.parse(answered) > since))) {
      considered++
      if (answered !== undefined && Date.parse(answered) <= Date.parse(r.dueAt)) onTime++
    }
    const firstReply = r.replies[0]?.at
    if (inPeriod(firstReply)) days.push((Date.parse(firstReply!) - Date.parse(r.verifiedAt)) / DAY_MS)
  }
  const med = median(days)
  return {
    open: open.length,
    overdue: open.filter((r) => isOverdue(r, now)).length,
    dueSoon: open.filter((r) => r.dueAt && !isOverdue(r, now) && Date.parse(r.dueAt) - t <= 3 * DAY_MS).length,
    awaitingVerification: open.filter((r) => r.state === 'submitted').length,
    ...(considered ? { onTime: { rate: onTime / considered, onTime, considered } } : {}),
    ...(med !== undefined ? { medianDaysToReply: Math.round(med * 10) / 10 } : {}),
    periodDays,
  }
}

/** Requests filed per week (weeks start on Monday, Asia/Shanghai), by type, the last `weeks` weeks oldest first. */
export interface WeekCounts {
  /** Monday of the week, YYYY-MM-DD. */
  readonly week: string
  readonly counts: Readonly<Record<string, number>>
}

/** The type key a request is counted under: its right, or 'inquiry'. */
export const typeKey = (r: RightsRequest): string => (r.kind === 'inquiry' ? 'inquiry' : (r.type ?? 'access'))

export function weeklyCounts(all: readonly RightsRequest[], now: Date, weeks = 12): WeekCounts[] {
  const thisWeek = DateTime.fromJSDate(now, { zone: BUSINESS_ZONE }).startOf('week')
  const out = Array.from({ length: weeks }, (_, i) => ({ week: thisWeek.minus({ weeks: weeks - 1 - i }).toISODate()!, counts: {} as Record<string, number> }))
  const index = new Map(out.map((w, i) => [w.week, i]))
  for (const r of all) {
    const week = DateTime.fromISO(r.createdAt, { zone: BUSINESS_ZONE }).startOf('week').toISODate()!
    const i = index.get(week)
    if (i === undefined) continue
    const key = typeKey(r)
    out[i]!.counts[key] = (out[i]!.counts[key] ?? 0) + 1
  }
  return out
}
