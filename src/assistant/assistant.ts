import type { Logger } from '../log.js'
import type { AssistantMetrics } from '../metrics.js'
import { detectLang, type Lang } from '../lang.js'
import type { PolicyAnswer, PolicyStore } from '../policy/types.js'
import { isCancelWord, isHelp, isMore, topicNumber } from './intents.js'
import { cleanText, normalizeText } from './normalize.js'
import { PageMemory } from './page-memory.js'
import { RateLimiter } from './rate-limit.js'
import { SerialQueue } from './serial-queue.js'
import { plainTypography } from './fit.js'
import { fits } from '../reply-size.js'
import type { HeldNotices } from './notifier.js'
import type { UnansweredRecorder } from './unanswered.js'
import * as texts from './texts.js'
import type { Assistant, Incoming, Reply } from './types.js'
import type { Clock } from '../clock.js'
import { personKey } from '../person-key.js'

/** What every step of the pipeline sees about one incoming message. */
export interface TurnContext {
  readonly incoming: Incoming
  /** Normalised text for recognising words (see normalizeText). */
  readonly text: string
  /** The text as the person wrote it, cleaned of control characters (see cleanText): what gets stored. */
  readonly rawText: string
  readonly lang: Lang
  /** channel:userId — the key for per-user state. */
  readonly userKey: string
  readonly now: Date
}

/** One step of the pipeline: a reply ends the turn, `undefined` passes it to the next step, `null` means "say nothing". */
export type TurnHandler = (ctx: TurnContext) => Promise<Reply | null | undefined> | Reply | null | undefined

export interface AssistantDeps {
  readonly policy: PolicyStore
  readonly clock: Clock
  readonly logger: Logger
  readonly contactEmail?: string
  /**
   * Builds the steps that run before policy answering (staff commands, rights-request conversations, …),
   * in order; they get the first say on every text message and may borrow the policy answering.
   */
  readonly steps?: (tools: PolicyTools) => readonly TurnHandler[]
  /** Messages waiting for a person (e.g. a staff reply outside WeChat's 48-hour window): delivered with their next reply. */
  readonly heldNotices?: HeldNotices
  /** Per-user message limit; `exempt` (staff) are never limited. */
  readonly rateLimit?: { readonly perMinute: number; readonly exempt: (incoming: Incoming) => boolean }
  /** Counters for /metrics. */
  readonly metrics?: AssistantMetrics
  /** Called for every message before it is handled (e.g. to note when a person last wrote). */
  readonly onIncoming?: (incoming: Incoming) => void
  /** Where questions the policy could not answer are kept for staff (masked, without who asked). */
  readonly unanswered?: UnansweredRecorder
  /** Called for unsubscribe events so the caller can record them. */
  readonly onUnsubscribe?: (incoming: Incoming) => Promise<void> | void
}

/** Policy answering, lent to the steps so a conversation can answer a question and then resume. */
export interface PolicyTools {
  answerPolicy(ctx: TurnContext): Reply
  /** The next page of the last long answer (or a "nothing more" note). */
  nextPage(ctx: TurnContext): Reply
  /** Whether a next page is waiting, so 继续 / "continue" can mean "more" only where there is more. */
  hasMore(ctx: TurnContext): boolean
}

/**
 * The channel-agnostic assistant: one incoming message in, at most one reply out.
 * Policy questions are answered here; other capabilities plug in as `steps`.
 */
export function createAssistant(deps: AssistantDeps): Assistant {
  const pages = new PageMemory()
  const limiter = deps.rateLimit ? new RateLimiter(deps.rateLimit.perMinute) : undefined
  const { policy, clock, logger } = deps

  const reply = (text: string): Reply => ({ text })

  function sendAnswer(ctx: TurnContext, answer: PolicyAnswer): Reply {
    const [first = '', ...rest] = answer.pages.map(plainTypography)
    pages.remember(ctx.userKey, rest, answer.lang, ctx.now)
    deps.metrics?.policyAnswer()
    logger.debug({ event: 'policy.answer', section: answer.sectionId, score: Number(answer.score.toFixed(2)), pages: answer.pages.length })
    return reply(first)
  }

  /** Answer from the policy, or say honestly that the policy does not cover it. */
  function answerPolicy(ctx: TurnContext): Reply {
    const answer = policy.answer(ctx.text, ctx.lang)
    if (answer) return sendAnswer(ctx, answer)
    pages.forget(ctx.userKey)
    deps.metrics?.policyFallback()
    logger.debug({ event: 'policy.fallback' })
    deps.unanswered?.record(ctx.rawText, ctx.lang, ctx.now)
    // Questions about the company's other business get told where they are answered.
    return reply(texts.fallback(policy.topics(), ctx.lang, deps.contactEmail, policy.outOfScope?.(ctx.text, ctx.lang)))
  }

  function answerTopic(ctx: TurnContext, n: number): Reply {
    const answer = policy.answerTopic(n, ctx.lang)
    if (answer) return sendAnswer(ctx, answer)
    return reply(texts.noSuchTopic(policy.topics().length, ctx.lang))
  }

  function nextPage(ctx: TurnContext): Reply {
    const next = pages.next(ctx.userKey, ctx.now)
    return reply(next ? next.page : texts.noMorePages(ctx.lang))
  }

  const builtIn: TurnHandler = (ctx) => {
    if (isHelp(ctx.text)) return reply(texts.welcome(policy.topics()))
    if (isMore(ctx.text)) return nextPage(ctx)
    // A conversation would have taken "取消" / "cancel" already; a policy fallback would only confuse.
    if (isCancelWord(ctx.text)) return reply(texts.nothingToCancel(ctx.lang))
    // A number picks a topic; any other number is something the policy cannot answer.
    const n = topicNumber(ctx.text)
    if (n !== null && n >= 1 && n <= policy.topics().length) return answerTopic(ctx, n)
    return undefined
  }

  async function handleText(ctx: TurnContext): Promise<Reply | null> {
    if (ctx.text === '') return reply(texts.emptyMessage())
    for (const step of steps) {
      const result = await step(ctx)
      if (result !== undefined) return result
    }
    return answerPolicy(ctx)
  }

  const hasMore = (ctx: TurnContext): boolean => pages.has(ctx.userKey, ctx.now)

  const steps: readonly TurnHandler[] = [...(deps.steps?.({ answerPolicy, nextPage, hasMore }) ?? []), builtIn]

  /**
   * Puts held messages (oldest first, as many as fit in one WeChat message) before this reply. When
   * the answer no longer fits it waits behind 更多 / "more"; what does not fit is held again and comes
   * with the next replies. A staff command's answer is never pushed back: only the notices that fit
   * beside it come along.
   */
  async function deliverHeld(ctx: TurnContext, answer: Reply | null): Promise<Reply | null> {
    // A staff command's answer may be posted in the Wechaty staff room: never attach personal messages
    // there. The Incoming does not say whether it came from a room, so every slash-led Wechaty message
    // counts (the staff room forwards every slash-led line). On the Official Account an answer only
    // ever goes back to its writer, so a staff member's held notices (e.g. reminders) come with /list.
    const mayBeSharedRoom = ctx.incoming.channel === 'wechaty' && ctx.text.startsWith('/')
    if (!deps.heldNotices || mayBeSharedRoom) return answer
    const to = { channel: ctx.incoming.channel, userId: ctx.incoming.userId }
    const held = await deps.heldNotices.take(to)
    if (held.length === 0) return answer
    // Staff asked for the answer; a backlog of notices (e.g. while WeChat sending is off) must not bury it.
    const beside = answer && ctx.text.startsWith('/') ? `\n\n————\n${answer.text}` : ''
    let packed = ''
    let used = 0
    for (const text of held) {
      const next = used === 0 ? text : `${packed}\n\n${text}`
      // The first notice always goes, unless it has to fit beside a command's answer.
      if ((used > 0 || beside) && !fits(next + beside)) break
      packed = next
      used++
    }
    for (const text of held.slice(used)) await deps.heldNotices.hold(to, text)
    if (used === 0) return answer
    logger.info({ event: 'notice.delivered_with_reply', delivered: used, remaining: held.length - used })
    if (!answer) return reply(packed)
    const combined = `${packed}\n\n————\n${answer.text}`
    if (fits(combined)) return reply(combined)
    pages.prepend(ctx.userKey, answer.text, ctx.lang, ctx.now)
    return reply(`${packed}\n\n${texts.answerWaiting(ctx.lang)}`)
  }

  // One message per person at a time: their conversation state is read and written across awaits.
  const perUser = new SerialQueue()

  function handle(incoming: Incoming): Promise<Reply | null> {
    return perUser.run(personKey(incoming), () => handleNow(incoming))
  }

  async function handleNow(incoming: Incoming): Promise<Reply | null> {
    const rawText = incoming.kind === 'text' ? cleanText(incoming.text) : ''
    const text = rawText.normalize('NFKC')
    const ctx: TurnContext = {
      incoming,
      text,
      rawText,
      lang: detectLang(text),
      userKey: personKey(incoming),
      now: clock.now(),
    }
    deps.onIncoming?.(incoming)
    deps.metrics?.message(incoming.channel, incoming.kind)
    if (incoming.kind === 'unsubscribe') {
      pages.forget(ctx.userKey)
      await deps.onUnsubscribe?.(incoming)
      return null
    }
    if (limiter && !deps.rateLimit!.exempt(incoming) && !limiter.allow(ctx.userKey, ctx.now)) {
      logger.warn({ event: 'rate_limited', channel: incoming.channel })
      return reply(texts.tooManyMessages())
    }
    return deliverHeld(ctx, await answer(ctx))
  }

  async function answer(ctx: TurnContext): Promise<Reply | null> {
    const { incoming } = ctx
    switch (incoming.kind) {
      case 'text':
        return handleText(ctx)
      case 'subscribe':
        return reply(texts.welcome(policy.topics()))
      case 'menu':
        return handleMenu(ctx)
      case 'voice':
      case 'image':
      case 'video':
      case 'location':
      case 'link':
      case 'file':
        return reply(texts.textOnly(incoming.kind))
      default:
        return null
    }
  }

  /**
   * Custom-menu keys: `TOPIC_<n>` answers topic n, `TOPIC_<section-id>` the topic of that section,
   * `HELP` (or anything unknown) shows the welcome; other keys are passed to the pipeline as text.
   */
  async function handleMenu(ctx: TurnContext): Promise<Reply | null> {
    const key = (ctx.incoming.menuKey ?? '').trim()
    const m = /^TOPIC_(.+)$/i.exec(key)
    if (m) {
      const wanted = m[1]!
      const topic = /^\d+$/.test(wanted)
        ? policy.topics().find((t) => t.number === Number(wanted))
        : policy.topics().find((t) => t.sectionId === wanted.toLowerCase())
      if (topic) return answerTopic({ ...ctx, lang: 'zh' }, topic.number)
    }
    if (/^(HELP|MENU)$/i.test(key) || key === '') return reply(texts.welcome(policy.topics()))
    const keyText = cleanText(key.replace(/_/g, ' '))
    return handleText({ ...ctx, text: normalizeText(keyText), rawText: keyText, lang: detectLang(key) })
  }

  return { handle }
}
