import type { Logger } from '../../log.js'
import { OPEN_STATES, type RightsRequest } from '../../requests/model.js'
import { RequestNotFoundError, type RequestRepository } from '../../requests/repository.js'
import type { TurnContext, TurnHandler } from '../assistant.js'
import { shanghaiDate } from '../dates.js'
import { clipReply } from '../fit.js'
import type { Incoming, Reply } from '../types.js'
import type { Delivery, Notifier } from '../notifier.js'
import { looksLikeCommand, parseStaffCommand, StaffCommandError, type StaffCommand } from './parse.js'
import * as userTexts from './user-texts.js'
import { detailView, isOverdue, listLine, STAFF_HELP } from './views.js'
import { isFinal } from '../../requests/records.js'

export interface StaffDeps {
  readonly requests: RequestRepository
  readonly notifier: Notifier
  readonly logger: Logger
  readonly isStaff: (incoming: Incoming) => boolean
  /** When a request verified now is due (RESPONSE_WINDOW, counted as RESPONSE_DAYS says). */
  readonly dueDate: (verifiedAt: Date) => Date
  /** Told about every change a staff command makes (the scheduler listens here). */
  readonly onChange?: (request: RightsRequest) => Promise<void> | void
}

const MAX_LIST_LINES = 25

const ERRORS: Record<StaffCommandError['code'], string> = {
  unknown: '未知命令 Unknown command.',
  'missing-id': '缺少编号 Missing request id.',
  'bad-id': '编号格式不对，应为 PR-YYYYMMDD-XXXXXX。 Malformed id: use PR-YYYYMMDD-XXXXXX.',
  'missing-text': '缺少内容：/reply 需要回复文本，/reject 需要理由。 Missing text: /reply needs the reply, /reject needs a reason.',
  'too-long': '内容过长 Text too long.',
  'bad-filter': '未知状态 Unknown state: use open, submitted, verified, replied, closed, rejected, overdue or all.',
}

/**
 * Staff commands (`/help`, `/list`, `/show`, `/verify`, `/reply`, `/close`, `/reject`). Anyone not on
 * the staff list who types one gets the same answer as an unknown command: nothing about any request.
 */
export function createStaffCommands(deps: StaffDeps): TurnHandler {
  const { requests, notifier, logger } = deps
  const say = (text: string): Reply => ({ text: clipReply(text) })

  async function changed(r: RightsRequest): Promise<RightsRequest> {
    await deps.onChange?.(r)
    return r
  }

  async function deliver(r: RightsRequest, text: string, status: string): Promise<Delivery> {
    return notifier.notify({ channel: r.channel, userId: r.userId }, text, { template: { title: text.split('\n')[0] ?? '', requestId: r.id, status } })
  }

  const deliveryNote = (how: Delivery): string => {
    if (how === 'sent') return '已发送给用户。 Delivered to the requester.'
    if (how === 'queued') return '消息已保存，正在重试发送。 Saved; delivery is being retried.'
    // Not the person's window: nothing can be pushed until an operator configures the credentials.
    if (how === 'unsent')
      return '未发送：未配置微信接口凭据（WECHAT_APPID / WECHAT_APPSECRET）。消息已保留，将在用户下次发消息时送达。 Not sent: WeChat API credentials are not configured (WECHAT_APPID / WECHAT_APPSECRET). It is kept and will be delivered with their next message.'
    return '用户目前无法接收主动消息（超过 48 小时未互动），消息已保留，将在其下次发消息时送达。 Waiting: the requester is outside the 48-hour window, so it will be delivered with their next message.'
  }

  async function run(ctx: TurnContext, cmd: StaffCommand, actor: `staff:${string}`): Promise<Reply> {
    if (cmd.name === 'help') return say(STAFF_HELP)
    if (cmd.name === 'list') return say(await list(cmd.filter, ctx.now))
    const current = await requests.get(cmd.id)
    if (!current) return say(`没有编号为 ${cmd.id} 的请求。 No request ${cmd.id}.`)
    switch (cmd.name) {
      case 'show':
        return say(detailView(current, ctx.now))
      case 'verify': {
        if (current.kind === 'inquiry') return say('留言无需核验身份，请直接 /reply。 Messages need no verification: just /reply.')
        if (current.state !== 'submitted') return say(`${current.id} 已是 ${current.state}，无法再次核验。 Already ${current.state}: cannot verify again.`)
        const dueAt = deps.dueDate(ctx.now).toISOString()
        const r = await changed(
          await requests.update(current.id, { state: 'verified', verifiedAt: ctx.now.toISOString(), dueAt }, { actor, action: 'verified' }),
        )
        const how = await deliver(r, userTexts.verified(r, shanghaiDate(dueAt)), 'verified')
        logger.info({ event: 'request.verified', id: r.id, delivery: how })
        return say(`${r.id} 已核验，答复期限 ${shanghaiDate(dueAt)}。 Verified; due ${shanghaiDate(dueAt)}.\n${deliveryNote(how)}`)
      }
      case 'reply': {
        if (isFinal(current)) return say(`${current.id} 已${current.state === 'closed' ? '办结' : '拒绝'}，不能再回复。 It is ${current.state}: cannot reply.`)
        const at = ctx.now.toISOString()
        const r = await changed(
          await requests.update(
            current.id,
            (draft) => {
              draft.replies.push({ at, by: actor, text: cmd.text })
              if (draft.state === 'verified' || draft.kind === 'inquiry') draft.state = 'replied'
            },
            { actor, action: 'replied' },
          ),
        )
        const how = await deliver(r, userTexts.staffReply(r, cmd.text), 'replied')
        logger.info({ event: 'request.replied', id: r.id, delivery: how })
        return say(`已记录对 ${r.id} 的回复。 Reply to ${r.id} recorded.\n${deliveryNote(how)}\n办结请用 To finish: /close ${r.id}`)
      }
      case 'close': {
        if (isFinal(current)) return say(`${current.id} 已是 ${current.state}。 Already ${current.state}.`)
        const r = await changed(await requests.update(current.id, { state: 'closed', closedAt: ctx.now.toISOString() }, { actor, action: 'closed', note: cmd.note }))
        const how = await deliver(r, userTexts.closed(r), 'closed')
        logger.info({ event: 'request.closed', id: r.id, delivery: how })
        return say(`${r.id} 已办结。 Closed.\n${deliveryNote(how)}`)
      }
      case 'reject': {
        if (isFinal(current)) return say(`${current.id} 已是 ${current.state}。 Already ${current.state}.`)
        const r = await changed(
          await requests.update(current.id, { state: 'rejected', closedAt: ctx.now.toISOString() }, { actor, action: 'rejected', note: cmd.text }),
        )
        const how = await deliver(r, userTexts.rejected(r, cmd.text), 'rejected')
        logger.info({ event: 'request.rejected', id: r.id, delivery: how })
        return say(`${r.id} 已拒绝，理由已告知用户。 Rejected; the requester is told the reason.\n${deliveryNote(how)}`)
      }
    }
  }

  async function list(filter: Extract<StaffCommand, { name: 'list' }>['filter'], now: Date): Promise<string> {
    const all = await requests.list()
    const chosen = all.filter((r) => {
      if (r.type === 'marketing-opt-out' && filter !== 'all') return false
      if (filter === 'open') return OPEN_STATES.has(r.state)
      if (filter === 'overdue') return isOverdue(r, now)
      if (filter === 'all') return true
      return r.state === filter
    })
    // Soonest due first; requests not yet verified (no due date) after them, oldest first.
    chosen.sort((a, b) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') || a.createdAt.localeCompare(b.createdAt))
    if (chosen.length === 0) return `没有符合条件的请求。 No requests (${filter}).`
    const shown = chosen.slice(0, MAX_LIST_LINES).map((r) => listLine(r, now))
    const more = chosen.length > MAX_LIST_LINES ? [`…另有 ${chosen.length - MAX_LIST_LINES} 条 and ${chosen.length - MAX_LIST_LINES} more`] : []
    return [`请求 Requests (${filter}): ${chosen.length}`, ...shown, ...more].join('\n')
  }

  return async (ctx) => {
    if (!looksLikeCommand(ctx.text)) return undefined
    if (!deps.isStaff(ctx.incoming)) {
      logger.info({ event: 'staff.denied' })
      return say(ctx.lang === 'zh' ? '无法识别该命令。回复“帮助”查看我能做什么。' : 'I don’t know that command. Reply “help” to see what I can do.')
    }
    const actor = `staff:${ctx.incoming.userId}` as const
    try {
      // Parse the text as typed, so a reply keeps its own punctuation; only the slash may be full-width.
      const cmd = parseStaffCommand(ctx.rawText.replace(/^／/, '/'))
      return await run(ctx, cmd, actor)
    } catch (err) {
      if (err instanceof StaffCommandError) return say(`${ERRORS[err.code]}${err.code === 'unknown' ? `\n\n${STAFF_HELP}` : ''}`)
      if (err instanceof RequestNotFoundError) return say(`没有编号为 ${err.requestId} 的请求。 No request ${err.requestId}.`)
      throw err
    }
  }
}
