import { kindName, stateName } from '../assistant/request-texts.js'
import { isOverdue } from '../assistant/staff/views.js'
import { shanghaiDate } from '../dates.js'
import { OPEN_STATES, REQUEST_STATES, RIGHT_TYPES, type RequestState, type RightType, type RightsRequest } from '../requests/model.js'
import { hasRunningClock } from '../requests/records.js'

const DAY_MS = 86_400_000

/** The queue's state filter: a state, or open (the default), overdue, all. */
export type StateFilter = RequestState | 'open' | 'overdue' | 'all'
export const STATE_FILTERS: readonly StateFilter[] = ['open', 'overdue', ...REQUEST_STATES, 'all']

export interface QueueQuery {
  readonly state: StateFilter
  readonly type?: RightType
  /** Part of a request id, case-insensitive. */
  readonly q?: string
}

/** Reads the query string; anything unknown falls back to the default, never an error. */
export function parseQueueQuery(query: Record<string, string | string[] | undefined>): QueueQuery {
  const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim()
  const state = one(query.state)
  const type = one(query.type)
  const q = one(query.q).toUpperCase().replace(/[^A-Z0-9-]/g, '').slice(0, 24)
  return {
    state: (STATE_FILTERS as readonly string[]).includes(state) ? (state as StateFilter) : 'open',
    ...((RIGHT_TYPES as readonly string[]).includes(type) ? { type: type as RightType } : {}),
    ...(q ? { q } : {}),
  }
}

/** Days until the due time (rounded up), or days past it; undefined while no clock runs. */
export type DueIn = { readonly overdue: false; readonly days: number } | { readonly overdue: true; readonly days: number }

export function dueIn(r: RightsRequest, now: Date): DueIn | undefined {
  if (!r.dueAt || !hasRunningClock(r)) return undefined
  const ms = Date.parse(r.dueAt) - now.getTime()
  if (isOverdue(r, now)) return { overdue: true, days: Math.max(1, Math.ceil(-ms / DAY_MS)) }
  return { overdue: false, days: Math.ceil(ms / DAY_MS) }
}

/** One row of the queue, ready to show. */
export interface QueueRow {
  readonly id: string
  readonly type: { readonly zh: string; readonly en: string; readonly code: string }
  readonly state: { readonly zh: string; readonly en: string; readonly code: RequestState }
  readonly filed: string
  readonly due?: string
  readonly dueIn?: DueIn
}

export function queueRow(r: RightsRequest, now: Date): QueueRow {
  return {
    id: r.id,
    type: { zh: kindName(r, 'zh'), en: kindName(r, 'en'), code: r.kind === 'inquiry' ? 'inquiry' : (r.type ?? '') },
    state: { zh: stateName(r, 'zh'), en: stateName(r, 'en'), code: r.state },
    filed: shanghaiDate(r.createdAt),
    ...(r.dueAt ? { due: shanghaiDate(r.dueAt) } : {}),
    ...(dueIn(r, now) ? { dueIn: dueIn(r, now) } : {}),
  }
}

function matches(r: RightsRequest, query: QueueQuery, now: Date): boolean {
  if (query.q && !r.id.includes(query.q)) return false
  // Opt-outs are done the moment they are filed: they only show when asked for.
  if (r.type === 'marketing-opt-out' && query.state !== 'all' && query.type !== 'marketing-opt-out') return false
  if (query.type && r.type !== query.type) return false
  if (query.state === 'open') return OPEN_STATES.has(r.state)
  if (query.state === 'overdue') return isOverdue(r, now)
  if (query.state === 'all') return true
  return r.state === query.state
}

/** Soonest due first; requests without a due date after them, oldest first (as /list orders them). */
export function byDue(a: RightsRequest, b: RightsRequest): number {
  return (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') || a.createdAt.localeCompare(b.createdAt)
}

/** The queue: rights requests and 人工 inquiries in separate lists. */
export function buildQueue(all: readonly RightsRequest[], query: QueueQuery, now: Date): { rights: QueueRow[]; inquiries: QueueRow[] } {
  const chosen = all.filter((r) => matches(r, query, now)).sort(byDue)
  return {
    rights: chosen.filter((r) => r.kind === 'rights').map((r) => queueRow(r, now)),
    // A type filter is about rights; inquiries have none.
    inquiries: query.type ? [] : chosen.filter((r) => r.kind === 'inquiry').map((r) => queueRow(r, now)),
  }
}
