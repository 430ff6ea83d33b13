import { Duration } from 'luxon'
import { shanghaiDate, shanghaiDateTime } from '../../dates.js'
import type { Lang } from '../../lang.js'
import type { RightsRequest } from '../../requests/model.js'
import type { Delivery, StaffNoticeTexts } from '../notifier.js'
import { kindName, stateName } from '../request-texts.js'
import type { ActionOutcome } from './outcome.js'
import type { StaffCommandError } from './parse.js'

/** What staff are told, in both languages on one line: the staff room is mixed. */

export const STAFF_HELP = [
  '工作人员命令 Staff commands:',
  '/list [state] 列出请求 list (open·submitted·verified·replied·closed·rejected·overdue·all)',
  '/show ID 查看 show one',
  '/verify ID 身份已核验，开始计时 identity checked: the response window starts',
  '/reply ID 文本 回复用户 reply to the requester',
  '/close ID [备注] 办结 close (note: no personal data)',
  '/reject ID 理由 拒绝（须说明理由）reject with a reason',
  '/console 控制台 网页控制台登录链接 a sign-in link to the web console',
  'ID 格式 format: PR-YYYYMMDD-XXXXXX',
].join('\n')

export const COMMAND_ERRORS: Record<StaffCommandError['code'], string> = {
  unknown: '未知命令 Unknown command.',
  'missing-id': '缺少编号 Missing request id.',
  'bad-id': '编号格式不对，应为 PR-YYYYMMDD-XXXXXX。 Malformed id: use PR-YYYYMMDD-XXXXXX.',
  'missing-text': '缺少内容：/reply 需要回复文本，/reject 需要理由。 Missing text: /reply needs the reply, /reject needs a reason.',
  'too-long': '内容过长 Text too long.',
  'bad-filter': '未知状态 Unknown state: use open, submitted, verified, replied, closed, rejected, overdue or all.',
}

/** Anyone else typing a staff command learns nothing: the answer to any unknown command. */
export function notACommand(lang: Lang): string {
  return lang === 'zh' ? '无法识别该命令。回复“帮助”查看我能做什么。' : 'I don’t know that command. Reply “help” to see what I can do.'
}

export const CONSOLE_OFF = '网页控制台未启用。 The web console is not enabled here.'
export const CONSOLE_TOO_MANY = '登录链接申请过于频繁，请稍后再试。 Too many sign-in links asked for: try again in a few minutes.'

/** The reply to /console: the link, how long it is good for, and that it works once. */
export function consoleLink(url: string, expiresAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 60_000))
  return [
    `控制台登录链接，${minutes} 分钟内有效（至 ${shanghaiDateTime(expiresAt)}），仅可使用一次，请勿转发：`,
    `Console sign-in link, valid for ${minutes} min (until ${shanghaiDateTime(expiresAt)} Asia/Shanghai), works once; do not forward it:`,
    url,
  ].join('\n')
}

export const noSuchRequest = (id: string): string => `没有编号为 ${id} 的请求。 No request ${id}.`

/** How the message to the requester went: the truth, whatever it is. */
export function deliveryNote(how: Delivery): string {
  if (how === 'sent') return '已发送给用户。 Delivered to the requester.'
  if (how === 'queued') return '消息已保存，正在重试发送。 Saved; delivery is being retried.'
  // Not the person's window: nothing can be pushed until an operator configures the credentials.
  if (how === 'unsent')
    return '未发送：未配置微信接口凭据（WECHAT_APPID / WECHAT_APPSECRET）。消息已保留，将在用户下次发消息时送达。 Not sent: WeChat API credentials are not configured (WECHAT_APPID / WECHAT_APPSECRET). It is kept and will be delivered with their next message.'
  return '用户目前无法接收主动消息（超过 48 小时未互动），消息已保留，将在其下次发消息时送达。 Waiting: the requester is outside the 48-hour window, so it will be delivered with their next message.'
}

/** Why an action did nothing. */
export function refusal(outcome: Extract<ActionOutcome, { done: false }>): string {
  const r = outcome.request
  if (outcome.refused === 'inquiry-needs-no-verification') return '留言无需核验身份，请直接 /reply。 Messages need no verification: just /reply.'
  if (outcome.refused === 'not-awaiting-verification') return `${r.id} 已是 ${r.state}，无法再次核验。 Already ${r.state}: cannot verify again.`
  return `${r.id} 已是 ${r.state}。 Already ${r.state}.`
}

/** The reply to /reply on a closed or rejected request says which. */
export function cannotReply(r: RightsRequest): string {
  return `${r.id} 已${r.state === 'closed' ? '办结' : '拒绝'}，不能再回复。 It is ${r.state}: cannot reply.`
}

export const verifiedNote = (r: RightsRequest): string => `${r.id} 已核验，答复期限 ${shanghaiDate(r.dueAt!)}。 Verified; due ${shanghaiDate(r.dueAt!)}.`
export const repliedNote = (r: RightsRequest): string => `已记录对 ${r.id} 的回复。 Reply to ${r.id} recorded.`
export const closeHint = (r: RightsRequest): string => `办结请用 To finish: /close ${r.id}`
export const closedNote = (r: RightsRequest): string => `${r.id} 已办结。 Closed.`
export const rejectedNote = (r: RightsRequest): string => `${r.id} 已拒绝，理由已告知用户。 Rejected; the requester is told the reason.`

export const noRequests = (filter: string): string => `没有符合条件的请求。 No requests (${filter}).`
export const listHeader = (filter: string, count: number): string => `请求 Requests (${filter}): ${count}`
export const moreNotShown = (n: number): string => `…另有 ${n} 条 and ${n} more`

// ---- What the requester is told when staff act ----

/** What the requester is told when staff act. Bilingual: the requester's language is not stored with the request. */

export function toRequesterVerified(r: RightsRequest, due: string): string {
  return [
    `您的申请 ${r.id}（${kindName(r, 'zh')}）已完成身份核验，我们将在 ${due} 前答复您。`,
    `Your identity for request ${r.id} has been verified; we will respond by ${due}.`,
  ].join('\n')
}

export function toRequesterReply(r: RightsRequest, text: string): string {
  return [`【即库科技隐私团队回复 Reply from Jiku’s privacy team】`, `编号 Request: ${r.id}`, '', text].join('\n')
}

export function toRequesterClosed(r: RightsRequest): string {
  return [`您的申请 ${r.id} 已办结。如有疑问，回复“人工”联系我们。`, `Your request ${r.id} is now closed. Questions? Reply “staff”.`].join('\n')
}

/** PIPL art. 50: a refusal states its reasons, and the person may complain or go to court. */
export function toRequesterRejected(r: RightsRequest, reason: string): string {
  return [
    `很抱歉，您的申请 ${r.id} 未能获准。理由：${reason}`,
    '如有异议，您可以回复“投诉”向我们投诉，也可以向履行个人信息保护职责的部门投诉、举报，或依法向人民法院提起诉讼。',
    `Sorry, your request ${r.id} was declined. Reason: ${reason}`,
    'If you disagree, reply “complain” to complain to us; you may also complain to the authority responsible for personal information protection, or bring a lawsuit.',
  ].join('\n')
}

// ---- What staff are sent unasked ----

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
