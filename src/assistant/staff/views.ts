import type { RightsRequest } from '../../requests/model.js'
import { shanghaiDate, shanghaiDateTime } from '../../dates.js'
import { preview } from '../quote-text.js'
import { kindName, stateName } from '../request-texts.js'
import { fieldLabel } from '../rights/texts.js'
import { isFinal, isOpen } from '../../requests/records.js'

/** Staff-facing renderings of requests: bilingual labels, compact lines. */

export function isOverdue(r: RightsRequest, now: Date): boolean {
  return isOpen(r) && Boolean(r.dueAt) && Date.parse(r.dueAt!) < now.getTime()
}

export function listLine(r: RightsRequest, now: Date): string {
  const due = r.dueAt && !isFinal(r) ? ` | 期限 due ${shanghaiDate(r.dueAt)}${isOverdue(r, now) ? ' ⚠逾期 overdue' : ''}` : ''
  return `${r.id} | ${kindName(r, 'zh')} ${r.kind === 'inquiry' ? 'inquiry' : r.type} | ${stateName(r, 'zh')} ${r.state}${due}`
}

const both = (key: string): string => `${fieldLabel(key, 'zh')} ${fieldLabel(key, 'en')}`

export function detailView(r: RightsRequest, now: Date): string {
  const lines = [
    `${r.id} | ${kindName(r, 'zh')} ${kindName(r, 'en')}`,
    `状态 State: ${stateName(r, 'zh')} ${r.state}${r.dueAt ? ` | 期限 Due: ${shanghaiDateTime(r.dueAt)}${isOverdue(r, now) ? ' ⚠逾期 overdue' : ''}` : ''}`,
    `提交 Filed: ${shanghaiDateTime(r.createdAt)} (${r.channel})${r.verifiedAt ? ` | 核验 Verified: ${shanghaiDateTime(r.verifiedAt)}` : ''}`,
  ]
  const p = r.personal
  if (!p) {
    lines.push('个人信息已按保存期限删除 Personal data purged after retention.')
  } else {
    if (p.name) lines.push(`${both('name')}: ${p.name}`)
    if (p.email) lines.push(`${both('email')}: ${p.email}`)
    if (p.phone) lines.push(`${both('phone')}: ${p.phone}`)
    if (p.company) lines.push(`${both('company')}: ${p.company}`)
    for (const [k, v] of Object.entries(p.details ?? {})) lines.push(`${both(k)}: ${preview(v, 300)}`)
  }
  if (r.replies.length) lines.push(`答复 Replies: ${r.replies.length}, last ${shanghaiDateTime(r.replies[r.replies.length - 1]!.at)}`)
  lines.push('记录 Audit:')
  for (const a of r.audit.slice(-6)) lines.push(`  ${shanghaiDateTime(a.at)} ${a.actor} ${a.action}${a.note ? ` (${preview(a.note, 60)})` : ''}`)
  return lines.join('\n')
}
