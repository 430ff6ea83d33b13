import { Duration } from 'luxon'
import { shanghaiDateTime } from '../../dates.js'
import { kindName, stateName } from '../request-texts.js'
import type { RightsRequest } from '../../requests/model.js'
import type { StaffNoticeTexts } from '../notifier.js'

/** What staff are sent unasked (new requests, reminders, escalations, the digest): bilingual, with the id and the command to look at it. */

function span(ms: number): { zh: string; en: string } {
  const d = Duration.fromMillis(Math.max(0, ms)).shiftTo('days', 'hours', 'minutes', 'seconds')
  const parts: Array<[number, string, string]> = [
    [Math.floor(d.days), '天', 'd'],
    [Math.floor(d.hours), '小时', 'h'],
    [Math.floor(d.minutes), '分钟', 'min'],
  ]
  const shown = parts.filter(([n]) => n > 0).slice(0, 2)
  if (shown.length === 0) {
    const s = Math.max(1, Math.round(d.seconds))
    return { zh: `${s} 秒`, en: `${s} s` }
  }
  return { zh: shown.map(([n, zh]) => `${n} ${zh}`).join(' '), en: shown.map(([n, , en]) => `${n} ${en}`).join(' ') }
}

const label = (r: RightsRequest): string => `${r.id}（${kindName(r, 'zh')} ${kindName(r, 'en')}）`

/** The moment a request or inquiry is filed: id, kind and state only, as it may be posted in a shared room. */
export function newRequestText(r: RightsRequest): string {
  const state = { zh: stateName(r, 'zh'), en: stateName(r, 'en') }
  if (r.kind === 'inquiry') return [`📨 新留言：${r.id}，${state.zh}。`, `New message to staff: ${r.id}, ${state.en}.`, `/show ${r.id}`].join('\n')
  return [`🆕 新申请：${label(r)}，${state.zh}。`, `New request: ${r.id} (${kindName(r, 'en')}), ${state.en}.`, `/show ${r.id}`].join('\n')
}

export function reminderText(r: RightsRequest, now: Date): string {
  const left = span(Date.parse(r.dueAt!) - now.getTime())
  return [
    `⏰ 提醒：${label(r)} 将于 ${shanghaiDateTime(r.dueAt!)} 到期，还剩 ${left.zh}。`,
    `Reminder: ${r.id} is due ${shanghaiDateTime(r.dueAt!)} (Asia/Shanghai), ${left.en} left.`,
    `/show ${r.id}`,
  ].join('\n')
}

export function overdueText(r: RightsRequest, now: Date): string {
  const late = span(now.getTime() - Date.parse(r.dueAt!))
  return [
    `⚠️ 逾期：${label(r)} 已于 ${shanghaiDateTime(r.dueAt!)} 到期，仍未办结（已逾期 ${late.zh}）。`,
    `Overdue: ${r.id} was due ${shanghaiDateTime(r.dueAt!)} (Asia/Shanghai) and is still open (${late.en} late).`,
    `/show ${r.id}`,
  ].join('\n')
}

export function digestText(groups: { overdue: RightsRequest[]; dueSoon: RightsRequest[]; unverified: RightsRequest[] }, now: Date): string {
  const line = (r: RightsRequest): string => `  ${r.id} ${kindName(r, 'en')}${r.dueAt ? ` | due ${shanghaiDateTime(r.dueAt)}` : ''}`
  const block = (zh: string, en: string, list: RightsRequest[]): string[] =>
    list.length ? [`${zh} ${en}: ${list.length}`, ...list.slice(0, 10).map(line), ...(list.length > 10 ? [`  … +${list.length - 10}`] : [])] : []
  return [
    `📋 每日摘要 Daily digest ${shanghaiDateTime(now)}`,
    ...block('⚠️ 逾期', 'Overdue', groups.overdue),
    ...block('⏰ 3 天内到期', 'Due within 3 days', groups.dueSoon),
    ...block('🪪 待核验身份', 'Awaiting identity verification', groups.unverified),
    '/list',
  ].join('\n')
}

/** The wording above, as the scheduler and the new-request notice take it. */
export const staffNotices: StaffNoticeTexts = {
  newRequest: newRequestText,
  reminder: reminderText,
  overdue: overdueText,
  digest: digestText,
}
