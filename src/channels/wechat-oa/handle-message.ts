import type { Assistant, Incoming, Reply } from '../../assistant/types.js'
import type { Clock } from '../../clock.js'
import { errorSummary, userTag, type Logger } from '../../log.js'
import { APOLOGY_TEXT } from '../../assistant/texts.js'
import { ReplyDedupe, dedupeKey, type MessageClaims } from './dedupe.js'
import { unauthorized } from './errors.js'
import { toIncoming } from './message.js'
import type { WechatFields } from './xml.js'

/** WeChat gives up after 5 s; answering by 4.5 s leaves room for the network. */
export const DEFAULT_REPLY_BUDGET_MS = 4_500

/** Dependencies of the message handler. */
export interface MessageHandlerDeps {
  readonly assistant: Assistant
  readonly logger: Logger
  readonly clock: Clock
  readonly replyBudgetMs?: number
  readonly dedupe?: ReplyDedupe<Reply | null>
  /** Claims shared with the other replicas (PostgreSQL), so a retry that reaches another one is not answered twice. */
  readonly messageClaims?: MessageClaims<Reply | null>
  /**
   * Called when the assistant answers after the budget ran out and no retry has carried the
   * reply. WeChat does not retry after "success", so without this hook (e.g. a customer-service
   * message) such a late reply only reaches the user if WeChat happens to resend.
   */
  readonly onLateReply?: (incoming: Incoming, reply: Reply) => void
}

/** What to send back: a text, or nothing ("success"). */
export type HandleResult = { readonly text: string } | null

/** How the request reached the handler. */
export interface HandleOptions {
  /**
   * The signed query already carried this very message (see replay.ts): only a remembered answer
   * may be shared. Past the retry cache it is refused (401), so a captured request replayed later
   * in the timestamp window cannot make the assistant act a second time.
   */
  readonly repeat?: boolean
}

type Outcome = { kind: 'reply'; reply: Reply | null } | { kind: 'error'; error: unknown } | { kind: 'timeout' }

function within(promise: Promise<Reply | null>, ms: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'timeout' }), ms)
    promise.then(
      (reply) => {
        clearTimeout(timer)
        resolve({ kind: 'reply', reply })
      },
      (error: unknown) => {
        clearTimeout(timer)
        resolve({ kind: 'error', error })
      },
    )
  })
}

/**
 * Turns a parsed WeChat message into the text to answer with: maps it to an Incoming, asks the
 * assistant once per message (retries share the answer), keeps within WeChat's time budget,
 * and logs one line per message — never the message or reply text.
 */
export function createMessageHandler(
  deps: MessageHandlerDeps,
): (fields: WechatFields, mode: string, options?: HandleOptions) => Promise<HandleResult> {
  const budgetMs = deps.replyBudgetMs ?? DEFAULT_REPLY_BUDGET_MS
  const shared = deps.messageClaims ? { claims: deps.messageClaims, empty: null } : undefined
  const dedupe = deps.dedupe ?? new ReplyDedupe<Reply | null>({ clock: deps.clock, shared })
  // Replies already carried by a passive answer, so the late-reply hook does not send them twice.
  const delivered = new WeakSet<Promise<Reply | null>>()

  return async (fields, mode, options) => {
    const started = Date.now()
    const incoming = toIncoming(fields, deps.clock.now())
    // Every path below but a forgotten repeat answers 200; refusals (4xx) are also logged by the
    // HTTP error boundary.
    const base = { event: 'wechat.message', status: 200, mode, msgType: fields.MsgType ?? '', wechatEvent: fields.Event }
    if (!incoming) {
      deps.logger.info({ ...base, outcome: 'ignored', durationMs: Date.now() - started }, 'wechat message')
      return null
    }
    const key = dedupeKey(fields)
    const remembered = options?.repeat ? dedupe.peek(key) : undefined
    if (options?.repeat && !remembered) {
      deps.logger.warn({ ...base, event: 'wechat.refused', status: 401, reason: 'retry-forgotten', user: userTag(incoming.userId) }, 'wechat message refused')
      throw unauthorized('retry-forgotten')
    }
    const { promise, fresh } = remembered ? { promise: remembered, fresh: false } : dedupe.run(key, () => deps.assistant.handle(incoming))
    const outcome = await within(promise, budgetMs)
    const log = { ...base, kind: incoming.kind, user: userTag(incoming.userId), retry: !fresh }
    const durationMs = (): number => Date.now() - started

    if (outcome.kind === 'timeout') {
      deps.logger.warn({ ...log, outcome: 'timeout', durationMs: durationMs() }, 'wechat message')
      if (fresh && deps.onLateReply) {
        const hook = deps.onLateReply
        promise.then(
          (reply) => {
            // Wait one turn: a retry already waiting on this promise marks it delivered first.
            setImmediate(() => {
              if (!reply || delivered.has(promise)) return
              try {
                hook(incoming, reply)
              } catch (error) {
                deps.logger.error({ ...log, outcome: 'late-reply-failed', ...errorSummary(error) }, 'wechat message')
              }
            })
          },
          () => undefined,
        )
      }
      return null
    }
    if (outcome.kind === 'error') {
      deps.logger.error({ ...log, outcome: 'error', durationMs: durationMs(), ...errorSummary(outcome.error) }, 'wechat message')
      return { text: APOLOGY_TEXT }
    }
    // Only a retry can carry a reply whose first attempt timed out; marking just those keeps the
    // WeakSet (costly for the garbage collector) out of the common path.
    if (!fresh) delivered.add(promise)
    const reply = outcome.reply
    deps.logger.info(
      { ...log, outcome: reply ? 'reply' : 'empty', replyBytes: reply ? Buffer.byteLength(reply.text) : 0, durationMs: durationMs() },
      'wechat message',
    )
    return reply && reply.text !== '' ? { text: reply.text } : null
  }
}
