/**
 * The stored shape of personal-information rights requests and staff inquiries.
 * Dates are ISO 8601 strings so records round-trip through JSON unchanged.
 */

/** The rights a person can exercise under the privacy policy (PIPL articles 44–50 and the policy's own). */
export type RightType =
  | 'access'
  | 'copy'
  | 'review'
  | 'correct'
  | 'delete'
  | 'restrict'
  | 'object'
  | 'complain'
  | 'withdraw-consent'
  | 'marketing-opt-out'

export const RIGHT_TYPES: readonly RightType[] = [
  'access',
  'copy',
  'review',
  'correct',
  'delete',
  'restrict',
  'object',
  'complain',
  'withdraw-consent',
  'marketing-opt-out',
]

/** 'rights' runs the 15-day clock once verified; 'inquiry' is a message for staff with no clock. */
export type RequestKind = 'rights' | 'inquiry'

/**
 * submitted: awaiting identity verification · verified: clock running · replied: staff answered, still open ·
 * closed / rejected: finished (closedAt set).
 */
export type RequestState = 'submitted' | 'verified' | 'replied' | 'closed' | 'rejected'

export const REQUEST_STATES: readonly RequestState[] = ['submitted', 'verified', 'replied', 'closed', 'rejected']

/** States in which the request still needs staff attention. */
export const OPEN_STATES: ReadonlySet<RequestState> = new Set<RequestState>(['submitted', 'verified', 'replied'])

/** States in which the response window is running: verified, and not yet closed. */
export const CLOCK_STATES: ReadonlySet<RequestState> = new Set<RequestState>(['verified', 'replied'])

/** States that end a request; entering one sets closedAt. */
export const FINAL_STATES: ReadonlySet<RequestState> = new Set<RequestState>(['closed', 'rejected'])

/** Everything that identifies the requester, kept in one field so purging is one assignment. */
export interface PersonalData {
  name?: string
  email?: string
  phone?: string
  company?: string
  /** Free-form answers collected in conversation (e.g. "what to correct"). */
  details?: Record<string, string>
}

/** A staff answer sent to the requester. `text` is personal data: it is removed by a purge. */
export interface StaffReply {
  at: string
  /** Staff identifier, e.g. "staff:<openid>". */
  by: string
  text?: string
}

/** Who caused an audit event. */
export type AuditActor = 'user' | 'system' | `staff:${string}`

/** One append-only audit line. Never holds personal data, so it survives a purge. */
export interface AuditEntry {
  at: string
  actor: AuditActor
  /** Short machine-readable verb, e.g. "created", "verified", "replied", "closed", "purged". */
  action: string
  note?: string
  /** The door a staff action came through when it was not the chat: 'console' for the web console. */
  via?: AuditVia
}

/** Doors other than the chat that staff act through. */
export type AuditVia = 'console'

/** The audit entry a caller supplies; the repository stamps `at` from its clock. */
export interface AuditInput {
  actor: AuditActor
  action: string
  note?: string
  via?: AuditVia
}

/** The mutable form of a stored request, handed to update mutators as a draft. */
export interface RequestRecord {
  /** PR-YYYYMMDD-XXXXXX, see ids.ts. */
  id: string
  kind: RequestKind
  /** Set for kind 'rights', absent for 'inquiry'. */
  type?: RightType
  state: RequestState
  /** The channel the request arrived on (ChannelName); a string here so storage stays channel-agnostic. */
  channel: string
  /** The requester's id on that channel, needed to deliver replies. */
  userId: string
  /** Null once purged. */
  personal: PersonalData | null
  createdAt: string
  verifiedAt?: string
  /** End of the 15-day response period, set when verified. */
  dueAt?: string
  closedAt?: string
  purgedAt?: string
  replies: StaffReply[]
  audit: AuditEntry[]
}

/** Recursively read-only view. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T

/** A stored request as repositories return it: deeply frozen, never mutate it. */
export type RightsRequest = DeepReadonly<RequestRecord>

/** What a caller supplies to file a request. */
export interface NewRequest {
  kind: RequestKind
  type?: RightType
  channel: string
  userId: string
  personal: PersonalData | null
  /** Defaults to 'submitted'. */
  state?: RequestState
}

/** Fields a plain-object update may set; id, createdAt and audit are owned by the repository. */
export type RequestPatch = Partial<
  Pick<RequestRecord, 'type' | 'state' | 'personal' | 'verifiedAt' | 'dueAt' | 'closedAt' | 'replies'>
>

/** Either a patch to merge or a function that edits a mutable draft in place. */
export type RequestChange = RequestPatch | ((draft: RequestRecord) => void)

export interface RequestFilter {
  states?: readonly RequestState[]
  kind?: RequestKind
}
