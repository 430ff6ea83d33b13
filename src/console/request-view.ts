import type { Recipient } from '../assistant/notifier.js'
import { kindName, stateName } from '../assistant/request-texts.js'
import { fieldLabel } from '../assistant/rights/texts.js'
import { shanghaiDateTime } from '../dates.js'
import type { RightsRequest } from '../requests/model.js'
import { isFinal } from '../requests/records.js'
import { messageState, type DeliveryProbe, type MessageLog, type MessageState } from './messages.js'
import { dueIn, type DueIn } from './queue.js'

/** The audit action DeadlineKeeper records for each reminder or overdue notice it sent to staff. */
export const FOLLOW_UP_ACTION = 'followup-sent'

export const MESSAGE_STATE_NAMES: Record<MessageState, string> = {
  delivered: '已送达 Delivered',
  'delivered-later': '已送达（稍后）Delivered later',
  retrying: '正在重试发送 Being retried',
  held: '等待用户下次发消息（48 小时窗口已关闭）Waiting for their next message (48-hour window closed)',
  unsent: '未发送：未配置微信接口凭据，等待用户下次发消息 Not sent (no WeChat API credentials): waiting for their next message',
}

const STATUS_NAMES: Record<string, string> = {
  verified: '核验通知与答复期限 Verified, due date',
  replied: '回复 Reply',
  closed: '办结通知 Closed',
  rejected: '驳回通知与理由 Rejected, with the reason',
}

const ACTION_NAMES: Record<string, string> = {
  created: '提交 Filed',
  verified: '核验 Verified',
  replied: '回复 Replied',
  closed: '办结 Closed',
  rejected: '驳回 Rejected',
  purged: '个人信息已删除 Personal data purged',
  [FOLLOW_UP_ACTION]: '提醒工作人员 Staff reminded',
}

/** "remind:P5D" → "到期前 P5D 提醒 reminder P5D before due"; "overdue:0" → "逾期通知 #1 overdue notice #1". */
export function followUpName(note: string | undefined): string {
  const [kind, arg = ''] = (note ?? '').split(':')
  if (kind === 'remind') return `到期前 ${arg} 提醒 Reminder ${arg} before due`
  if (kind === 'overdue') return `逾期通知 #${Number(arg) + 1} Overdue notice #${Number(arg) + 1}`
  return note ?? ''
}

export interface RequestView {
  readonly id: string
  readonly kind: string
  readonly isInquiry: boolean
  readonly state: { readonly label: string; readonly code: string }
  readonly facts: ReadonlyArray<{ readonly label: string; readonly value: string }>
  readonly dueIn?: DueIn
  readonly personal?: ReadonlyArray<{ readonly label: string; readonly value: string }>
  readonly replies: ReadonlyArray<{ readonly at: string; readonly by: string; readonly text?: string }>
  readonly messages: ReadonlyArray<{ readonly at: string; readonly what: string; readonly state: MessageState; readonly stateLabel: string }>
  readonly reminders: ReadonlyArray<{ readonly at: string; readonly what: string }>
  readonly audit: ReadonlyArray<{ readonly at: string; readonly actor: string; readonly via: string; readonly action: string; readonly note: string }>
  readonly can: { readonly verify: boolean; readonly reply: boolean; readonly close: boolean; readonly reject: boolean }
}

const both = (key: string): string => `${fieldLabel(key, 'zh')} ${fieldLabel(key, 'en')}`

function personalRows(r: RightsRequest): Array<{ label: string; value: string }> | undefined {
  const p = r.personal
  if (!p) return undefined
  const rows: Array<{ label: string; value: string }> = []
  for (const key of ['name', 'email', 'phone', 'company'] as const) if (p[key]) rows.push({ label: both(key), value: p[key]! })
  for (const [k, v] of Object.entries(p.details ?? {})) rows.push({ label: both(k), value: v })
  return rows
}

/** Everything the request page shows: the record, its history, and each message to the requester with where it is now. */
export async function requestView(r: RightsRequest, now: Date, log: MessageLog, probe: DeliveryProbe): Promise<RequestView> {
  const to: Recipient = { channel: r.channel, userId: r.userId }
  const [sent, held] = await Promise.all([log.get(r.id), probe.held(to)])
  const inOutbox = probe.inOutbox(r.id)
  const facts = [
    { label: '类型 Type', value: `${kindName(r, 'zh')} ${kindName(r, 'en')}` },
    { label: '渠道 Channel', value: r.channel },
    { label: '提交 Filed', value: shanghaiDateTime(r.createdAt) },
    ...(r.verifiedAt ? [{ label: '核验 Verified', value: shanghaiDateTime(r.verifiedAt) }] : []),
    ...(r.dueAt ? [{ label: '期限 Due', value: shanghaiDateTime(r.dueAt) }] : []),
    ...(r.closedAt ? [{ label: '结束 Finished', value: shanghaiDateTime(r.closedAt) }] : []),
    ...(r.purgedAt ? [{ label: '个人信息删除 Purged', value: shanghaiDateTime(r.purgedAt) }] : []),
  ]
  const final = isFinal(r)
  return {
    id: r.id,
    kind: `${kindName(r, 'zh')} ${kindName(r, 'en')}`,
    isInquiry: r.kind === 'inquiry',
    state: { label: `${stateName(r, 'zh')} ${stateName(r, 'en')}`, code: r.state },
    facts,
    ...(dueIn(r, now) ? { dueIn: dueIn(r, now) } : {}),
    ...(personalRows(r) ? { personal: personalRows(r) } : {}),
    replies: r.replies.map((x) => ({ at: shanghaiDateTime(x.at), by: x.by, ...(x.text !== undefined ? { text: x.text } : {}) })),
    messages: (sent?.messages ?? []).map((m) => {
      const state = messageState(m, inOutbox, held)
      return { at: shanghaiDateTime(m.at), what: STATUS_NAMES[m.status] ?? m.status, state, stateLabel: MESSAGE_STATE_NAMES[state] }
    }),
    reminders: r.audit.filter((a) => a.action === FOLLOW_UP_ACTION).map((a) => ({ at: shanghaiDateTime(a.at), what: followUpName(a.note) })),
    audit: r.audit.map((a) => ({
      at: shanghaiDateTime(a.at),
      actor: a.actor,
      via: a.via === 'console' ? '控制台 console' : a.actor.startsWith('staff:') ? '聊天 chat' : '',
      action: ACTION_NAMES[a.action] ?? a.action,
      note: a.action === FOLLOW_UP_ACTION ? followUpName(a.note) : (a.note ?? ''),
    })),
    can: { verify: r.kind === 'rights' && r.state === 'submitted', reply: !final, close: !final, reject: !final },
  }
}
