import type { Lang } from '../lang.js'
import type { RequestState, RightsRequest } from '../requests/model.js'
import { shanghaiDate } from '../dates.js'
import { rightName } from './rights/texts.js'
import { hasRunningClock } from '../requests/records.js'

/** How a request is described to its requester and to staff. */

/** The state words of a rights request; the one place they are written (see stateName). */
export const STATE_NAMES: Record<RequestState, { zh: string; en: string }> = {
  submitted: { zh: '待核验身份', en: 'awaiting identity verification' },
  verified: { zh: '处理中', en: 'in progress' },
  replied: { zh: '已答复', en: 'answered' },
  closed: { zh: '已办结', en: 'closed' },
  rejected: { zh: '已拒绝', en: 'rejected' },
}

/**
 * The state words of a message to staff. An inquiry is never verified — staff answer it directly — so
 * "awaiting identity verification" would send the person (and staff) looking for a step that does not exist.
 */
export const INQUIRY_STATE_NAMES: Record<RequestState, { zh: string; en: string }> = {
  submitted: { zh: '待回复', en: 'awaiting a reply from staff' },
  verified: { zh: '待回复', en: 'awaiting a reply from staff' },
  replied: { zh: '已回复', en: 'replied' },
  closed: { zh: '已办结', en: 'closed' },
  rejected: { zh: '已拒绝', en: 'declined' },
}

/** The state of this request in words: everywhere a state is shown goes through here. */
export function stateName(r: Pick<RightsRequest, 'kind' | 'state'>, lang: Lang): string {
  return (r.kind === 'inquiry' ? INQUIRY_STATE_NAMES : STATE_NAMES)[r.state][lang]
}

export function kindName(r: RightsRequest, lang: Lang): string {
  if (r.kind === 'inquiry') return lang === 'zh' ? '留言' : 'message to staff'
  return rightName(r.type ?? 'access', lang)
}

/** One line for the requester's status list. */
export function statusLine(r: RightsRequest, lang: Lang): string {
  const state = stateName(r, lang)
  const due = r.dueAt && hasRunningClock(r) ? (lang === 'zh' ? `，答复期限 ${shanghaiDate(r.dueAt)}` : `, due by ${shanghaiDate(r.dueAt)}`) : ''
  return lang === 'zh'
    ? `${r.id}（${kindName(r, 'zh')}）：${state}${due}；提交于 ${shanghaiDate(r.createdAt)}`
    : `${r.id} (${kindName(r, 'en')}): ${state}${due}; filed ${shanghaiDate(r.createdAt)}`
}
