import { REQUEST_STATES, RIGHT_TYPES, type RightsRequest } from '../requests/model.js'

/** One month's shard file. Records are keyed by id so an update replaces one entry. */
export interface ShardData {
  version: 1
  requests: Record<string, RightsRequest>
}

// Hand-written rather than zod: this runs over every stored record at open, and a schema library
// costs tens of microseconds per record (seconds at 100k records).
const STATES = new Set<unknown>(REQUEST_STATES)
const TYPES = new Set<unknown>(RIGHT_TYPES)

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isStr = (v: unknown): v is string => typeof v === 'string'
const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string'

function isPersonal(v: unknown): boolean {
  if (v === null) return true
  if (!isObj(v)) return false
  if (!optStr(v.name) || !optStr(v.email) || !optStr(v.phone) || !optStr(v.company)) return false
  return v.details === undefined || (isObj(v.details) && Object.values(v.details).every(isStr))
}

const isReply = (v: unknown): boolean => isObj(v) && isStr(v.at) && isStr(v.by) && optStr(v.text)
const isAudit = (v: unknown): boolean => isObj(v) && isStr(v.at) && isStr(v.actor) && isStr(v.action) && optStr(v.note) && optStr(v.via)

/** Shape check for a record read back from disk; unknown extra fields are tolerated for forward compatibility. */
export function isStoredRequest(v: unknown): v is RightsRequest {
  return (
    isObj(v) &&
    isStr(v.id) &&
    (v.kind === 'rights' || v.kind === 'inquiry') &&
    (v.type === undefined || TYPES.has(v.type)) &&
    STATES.has(v.state) &&
    isStr(v.channel) &&
    isStr(v.userId) &&
    isPersonal(v.personal) &&
    isStr(v.createdAt) &&
    optStr(v.verifiedAt) &&
    optStr(v.dueAt) &&
    optStr(v.closedAt) &&
    optStr(v.purgedAt) &&
    Array.isArray(v.replies) &&
    v.replies.every(isReply) &&
    Array.isArray(v.audit) &&
    v.audit.every(isAudit)
  )
}

/** Validator for AtomicJsonFile: the whole shard, every record, and each key matching its record's id. */
export function isShardData(value: unknown): value is ShardData {
  if (!isObj(value) || value.version !== 1 || !isObj(value.requests)) return false
  for (const [key, r] of Object.entries(value.requests)) if (!isStoredRequest(r) || r.id !== key) return false
  return true
}
