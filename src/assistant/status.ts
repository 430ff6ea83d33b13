import type { RequestRepository } from '../requests/repository.js'
import { parseRequestId } from '../requests/ids.js'
import type { TurnHandler } from './turn.js'
import { clipReply } from '../reply-size.js'
import { statusLine } from './request-texts.js'
import { statusCommand } from './rights/intents.js'
import { unavailable } from './rights/texts.js'

const MAX_LISTED = 8

/**
 * `status`, `status PR-…`, `状态`, `进度`: a requester sees their own requests only. Someone else's id
 * gets the same answer as an id that does not exist, so nothing leaks.
 */
export function createStatusStep(requests: RequestRepository): TurnHandler {
  return async (ctx) => {
    const cmd = statusCommand(ctx.text)
    if (!cmd) return undefined
    const { lang } = ctx
    let mine
    try {
      mine = await requests.listByUser(ctx.incoming.channel, ctx.incoming.userId)
    } catch {
      // The requests cannot be read right now (the database is down): say so rather than apologise vaguely.
      return { text: unavailable(lang) }
    }
    if (cmd.id) {
      const id = parseRequestId(cmd.id)
      const found = id ? mine.find((r) => r.id === id) : undefined
      if (!found) {
        return { text: lang === 'zh' ? `没有找到您名下编号为 ${cmd.id} 的申请。回复“状态”查看您的全部申请。` : `You have no request ${cmd.id}. Reply “status” to see all of yours.` }
      }
      return { text: statusLine(found, lang) }
    }
    if (mine.length === 0) {
      return { text: lang === 'zh' ? '您还没有提交过申请。回复“申请”行使您的权利。' : 'You have not filed any request yet. Reply “request” to exercise your rights.' }
    }
    const recent = mine.slice(-MAX_LISTED).reverse()
    const head = lang === 'zh' ? '您的申请：' : 'Your requests:'
    const more = mine.length > MAX_LISTED ? [lang === 'zh' ? `（另有 ${mine.length - MAX_LISTED} 条较早的申请）` : `(${mine.length - MAX_LISTED} older not shown)`] : []
    return { text: clipReply([head, ...recent.map((r) => statusLine(r, lang)), ...more].join('\n')) }
  }
}
