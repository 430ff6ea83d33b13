/**
 * Pure record operations shared by every RequestRepository implementation, so the in-memory
 * double and the file-backed repository enforce the same invariants.
 */
import { DateTime, type Duration } from 'luxon'
import { InvalidRequestError } from './errors.js'
import {
  CLOCK_STATES,
  FINAL_STATES,
  OPEN_STATES,
  type AuditEntry,
  type AuditInput,
  type NewRequest,
  type RequestChange,
  type RequestFilter,
  type RequestRecord,
  type RightsRequest,
} from './model.js'

/** Freezes a record and everything inside it, so a returned record cannot be edited behind the store's back. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/** A mutable deep copy for mutators. */
export function toDraft(record: RightsRequest): RequestRecord {
  return structuredClone(record) as RequestRecord
}

function stamp(entry: AuditInput, at: string): AuditEntry {
  const out: AuditEntry = { at, actor: entry.actor, action: entry.action }
  if (entry.note !== undefined) out.note = entry.note
  if (entry.via !== undefined) out.via = entry.via
  return out
}

/** Builds the first version of a record; throws InvalidRequestError on an inconsistent input. */
export function buildRecord(id: string, input: NewRequest, now: Date, audit: AuditInput): RightsRequest {
  if (input.kind === 'rights' && !input.type) throw new InvalidRequestError('A rights request needs a type')
  if (input.kind === 'inquiry' && input.type) throw new InvalidRequestError('An inquiry has no right type')
  if (!input.channel || !input.userId) throw new InvalidRequestError('channel and userId are required')
  const at = now.toISOString()
  const state = input.state ?? 'submitted'
  const record: RequestRecord = {
    id,
    kind: input.kind,
    ...(input.type ? { type: input.type } : {}),
    state,
    channel: input.channel,
    userId: input.userId,
    personal: input.personal === null ? null : structuredClone(input.personal),
    createdAt: at,
    ...(FINAL_STATES.has(state) ? { closedAt: at } : {}),
    replies: [],
    audit: [stamp(audit, at)],
  }
  return deepFreeze(record)
}

/**
 * Applies a change to a copy of `current` and appends the audit entry. The identity fields and the
 * existing audit trail are restored whatever the mutator did, and entering closed/rejected stamps
 * closedAt when the caller did not, so purging always has a date to go by.
 */
export function applyChange(current: RightsRequest, change: RequestChange, audit: AuditInput, now: Date): RightsRequest {
  const draft = toDraft(current)
  if (typeof change === 'function') change(draft)
  else Object.assign(draft, structuredClone(change))
  const at = now.toISOString()
  draft.id = current.id
  draft.kind = current.kind
  draft.createdAt = current.createdAt
  draft.channel = current.channel
  draft.userId = current.userId
  draft.audit = [...toDraft(current).audit, stamp(audit, at)]
  if (FINAL_STATES.has(draft.state) && !draft.closedAt) draft.closedAt = at
  if (current.purgedAt) {
    // Purged data never comes back.
    draft.purgedAt = current.purgedAt
    draft.personal = null
    draft.replies = draft.replies.map(({ at: rAt, by }) => ({ at: rAt, by }))
  }
  return deepFreeze(draft)
}

/** The instant before which closedAt makes a record purgeable. */
export function purgeCutoff(now: Date, retention: Duration): string {
  return DateTime.fromJSDate(now, { zone: 'utc' }).minus(retention).toJSDate().toISOString()
}

/** Closed or rejected, closed before the cutoff, and not purged yet. */
export function isPurgeable(record: RightsRequest, cutoff: string): boolean {
  return (
    FINAL_STATES.has(record.state) &&
    record.purgedAt === undefined &&
    record.closedAt !== undefined &&
    Date.parse(record.closedAt) < Date.parse(cutoff)
  )
}

/** The anonymised version of a record: personal data and reply texts dropped, audit kept and extended. */
export function purgeRecord(record: RightsRequest, now: Date): RightsRequest {
  const at = now.toISOString()
  const draft = toDraft(record)
  draft.personal = null
  draft.replies = draft.replies.map(({ at: rAt, by }) => ({ at: rAt, by }))
  draft.purgedAt = at
  draft.audit.push({ at, actor: 'system', action: 'purged' })
  return deepFreeze(draft)
}

/** True when the record passes every condition of the filter (no filter: all records). */
export function matchesFilter(record: RightsRequest, filter: RequestFilter | undefined): boolean {
  if (!filter) return true
  if (filter.states && !filter.states.includes(record.state)) return false
  if (filter.kind && record.kind !== filter.kind) return false
  return true
}

/** Still awaiting staff: submitted, verified or replied. */
export function isOpen(record: RightsRequest): boolean {
  return OPEN_STATES.has(record.state)
}

/** Closed or rejected: nothing more happens to it. */
export function isFinal(record: Pick<RightsRequest, 'state'>): boolean {
  return FINAL_STATES.has(record.state)
}

/** Verified and still open, with a due date: the response window is running. */
export function hasRunningClock(record: Pick<RightsRequest, 'state' | 'dueAt'>): boolean {
  return CLOCK_STATES.has(record.state) && Boolean(record.dueAt)
}

/** Oldest first; ids break ties so the order is stable. */
export function byCreation(a: RightsRequest, b: RightsRequest): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
