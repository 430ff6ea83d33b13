import type { Lang } from '../lang.js'
import type { RequestState, RightsRequest } from '../requests/model.js'
import { shanghaiDate } from './dates.js'
import { rightName } from './rights/texts.js'

/** How a request is described to its requester and to staff. */

export const STATE_NAMES: Record<RequestState, { zh: string; en: string }> = {
  submitted: { zh: '待核验身份', en: 'awaiting identity verification' },
  verified: { zh: '处理中', en: 'in progress' },
  replied: { zh: '已答复', en: 'answered' },
  closed: { zh: '已办结', en: 'closed' },
  rejected: { zh: '已拒绝', en: 'rejected' },
}

export function kindName(r: RightsRequest, lang: Lang): string {
  if (r.kind === 'inquiry') return lang === 'zh' ? '留言' : 'message to staff'
  return rightName(r.type ?? 'access', lang)
}

/** One line for the requester's status list. */
export function statusLine(r: RightsRequest, lang: Lang): string {
  const state = STATE_NAMES[r.state][lang]
  const due = r.dueAt && (r.state === 'verified' || r.state === 'replied') ? (lang === 'zh' ? `，答复期限 ${shanghaiDate(r.dueAt)}` : `, due by ${shanghaiDate(r.dueAt)}`) : ''
  return lang === 'zh'
    ? `${r.id}（${kindName(r, 'zh')}）：${state}${due}；提交于 ${shanghaiDate(r.createdAt)}`
    : `${r.id} (${kindName(r, 'en')}): ${state}${due}; filed ${shanghaiDate(r.createdAt)}`
}
