import type { Logger } from '../log.js'
import type { AssistantMetrics } from '../metrics.js'
import type { PolicyAnswer, PolicyStore } from '../policy/types.js'
import { plainTypography } from './quote-text.js'
import { isCancelWord, isHelp, isMore, topicNumber } from './intents.js'
import type { PageMemory } from './page-memory.js'
import * as texts from './texts.js'
import type { PolicyTools, TurnContext, TurnHandler } from './turn.js'
import type { Reply } from './types.js'
import type { UnansweredRecorder } from './unanswered.js'

export interface PolicyAnsweringDeps {
  readonly policy: PolicyStore
  readonly logger: Logger
  /** Long answers' later pages, kept per person for 更多 / "more". */
  readonly pages: PageMemory
  readonly contactEmail?: string
  readonly metrics?: AssistantMetrics
  readonly unanswered?: UnansweredRecorder
}

export interface PolicyAnswering extends PolicyTools {
  /** The whole section of a numbered topic (menu or typed number). */
  answerTopic(ctx: TurnContext, n: number): Reply
  /** 帮助 / "more" / a stray 取消 / a topic number: the words that mean the same in every conversation. */
  readonly builtIn: TurnHandler
}

const reply = (text: string): Reply => ({ text })

/** Answers from the policy: quoted pages, the topic menu, and an honest fallback recorded for staff. */
export function createPolicyAnswering(deps: PolicyAnsweringDeps): PolicyAnswering {
  const { policy, logger, pages } = deps

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

  return { answerPolicy, answerTopic, nextPage, hasMore: (ctx) => pages.has(ctx.userKey, ctx.now), builtIn }
}
