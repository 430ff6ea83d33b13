import type { Lang } from '../../lang.js'
import type { RightType } from '../../requests/model.js'
import type { CollectedFields } from './fields.js'
import type { Prompt } from './texts.js'

/**
 * The persisted state of one person's unfinished request. Saved after every turn, so a restart
 * resumes exactly here; deleted when the request is filed, cancelled or expires.
 */
export interface Conversation {
  readonly v: 1
  /** choose: the rights menu is shown · collect: asking for fields · confirm: summary shown · inquiry: waiting for a message to staff. */
  mode: 'choose' | 'collect' | 'confirm' | 'inquiry'
  type?: RightType
  lang: Lang
  fields: CollectedFields
  /** What the last question asked for: an answer is read as this field. */
  awaiting?: Prompt
  startedAt: string
  updatedAt: string
}

/** Where conversations live; the storage layer's ConversationStore satisfies it. */
export interface ConversationPort {
  get(key: string): Promise<Conversation | undefined>
  set(key: string, value: Conversation): Promise<void>
  delete(key: string): Promise<boolean>
}

/** The details each right needs beyond name and contact, in the order they are asked. */
export const DETAILS_NEEDED: Record<RightType, readonly string[]> = {
  access: [],
  copy: [],
  review: [],
  correct: ['what', 'correction'],
  delete: [],
  restrict: ['scope'],
  object: ['scope'],
  complain: ['complaint'],
  'withdraw-consent': ['scope'],
  'marketing-opt-out': [],
}

/** Free-text fields are kept short: they are shown in summaries and staff lists. */
export const MAX_DETAIL_CHARS = 500

/** The next thing to ask for, or null when everything needed is there. */
export function nextMissing(convo: Conversation): Prompt | null {
  const f = convo.fields
  if (!f.name) return 'name'
  if (!f.email && !f.phone) return 'contact'
  if (!f.company && !f.companySkipped) return 'company'
  for (const key of DETAILS_NEEDED[convo.type ?? 'access']) if (!f.details[key]) return `details.${key}`
  return null
}
