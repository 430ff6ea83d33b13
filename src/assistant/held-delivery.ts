import { errorSummary, type Logger } from '../log.js'
import { fits } from '../reply-size.js'
import type { HeldNotices } from './notifier.js'
import type { PageMemory } from './page-memory.js'
import * as texts from './texts.js'
import type { TurnContext } from './turn.js'
import type { Reply } from './types.js'

/**
 * Puts held messages (oldest first, as many as fit in one WeChat message) before this reply. When
 * the answer no longer fits it waits behind 更多 / "more"; what does not fit is held again and comes
 * with the next replies. A staff command's answer is never pushed back: only the notices that fit
 * beside it come along.
 */
export function createHeldDelivery(held: HeldNotices, pages: PageMemory, logger: Logger): (ctx: TurnContext, answer: Reply | null) => Promise<Reply | null> {
  return async (ctx, answer) => {
    // A staff command's answer may be posted in the Wechaty staff room: never attach personal messages
    // there. The Incoming does not say whether it came from a room, so every slash-led Wechaty message
    // counts (the staff room forwards every slash-led line). On the Official Account an answer only
    // ever goes back to its writer, so a staff member's held notices (e.g. reminders) come with /list.
    const mayBeSharedRoom = ctx.incoming.channel === 'wechaty' && ctx.text.startsWith('/')
    if (mayBeSharedRoom) return answer
    const to = { channel: ctx.incoming.channel, userId: ctx.incoming.userId }
    // Held notices cannot be read (the database is down): they stay held, and the answer goes out alone.
    const waiting = await held.take(to).catch((err: unknown) => {
      logger.warn({ event: 'notice.take_failed', ...errorSummary(err) })
      return []
    })
    if (waiting.length === 0) return answer
    // Staff asked for the answer; a backlog of notices (e.g. while WeChat sending is off) must not bury it.
    const beside = answer && ctx.text.startsWith('/') ? `\n\n————\n${answer.text}` : ''
    let packed = ''
    let used = 0
    for (const text of waiting) {
      const next = used === 0 ? text : `${packed}\n\n${text}`
      // The first notice always goes, unless it has to fit beside a command's answer.
      if ((used > 0 || beside) && !fits(next + beside)) break
      packed = next
      used++
    }
    for (const text of waiting.slice(used)) await held.hold(to, text)
    if (used === 0) return answer
    logger.info({ event: 'notice.delivered_with_reply', delivered: used, remaining: waiting.length - used })
    if (!answer) return { text: packed }
    const combined = `${packed}\n\n————\n${answer.text}`
    if (fits(combined)) return { text: combined }
    pages.prepend(ctx.userKey, answer.text, ctx.lang, ctx.now)
    return { text: `${packed}\n\n${texts.answerWaiting(ctx.lang)}` }
  }
}
