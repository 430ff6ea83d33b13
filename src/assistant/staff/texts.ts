import type { Lang } from '../../lang.js'
import type { RightsRequest } from '../../requests/model.js'
import { shanghaiDate } from '../../dates.js'
import type { Delivery } from '../notifier.js'
import type { StaffCommandError } from './parse.js'
import type { ActionOutcome } from './actions.js'

/** What staff are told, in both languages on one line: the staff room is mixed. */

export const STAFF_HELP = [
  '工作人员命令 Staff commands:',
  '/list [state] 列出请求 list (open·submitted·verified·replied·closed·rejected·overdue·all)',
  '/show ID 查看 show one',
  '/verify ID 身份已核验，开始计时 identity checked: the response window starts',
  '/reply ID 文本 回复用户 reply to the requester',
  '/close ID [备注] 办结 close (note: no personal data)',
  '/reject ID 理由 拒绝（须说明理由）reject with a reason',
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
