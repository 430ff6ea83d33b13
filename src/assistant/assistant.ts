import type { Logger } from '../log.js'
import type { AssistantMetrics } from '../metrics.js'
import { detectLang } from '../lang.js'
import type { PolicyStore } from '../policy/types.js'
import { cleanText, normalizeText } from './normalize.js'
import { PageMemory } from './page-memory.js'
import { RateLimiter } from './rate-limit.js'
import { SerialQueue } from './serial-queue.js'
import type { HeldNotices } from './notifier.js'
import type { RateLimit, TurnLock } from './stores.js'
import type { UnansweredRecorder } from './unanswered.js'
import { createHeldDelivery } from './held-delivery.js'
import { createPolicyAnswering } from './policy-answers.js'
import * as texts from './texts.js'
import type { PolicyTools, TurnContext, TurnHandler } from './turn.js'
import type { Assistant, Incoming, Reply } from './types.js'
import type { Clock } from '../clock.js'
import { personKey } from '../person-key.js'

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
  readonly rateLimit?: {
    readonly perMinute: number
    readonly exempt: (incoming: Incoming) => boolean
    /** Counted with the other replicas (the database); otherwise in this process. */
    readonly shared?: RateLimit
  }
  /** Counters for /metrics. */
  readonly metrics?: AssistantMetrics
  /** Called for every message before it is handled (e.g. to note when a person last wrote). */
  readonly onIncoming?: (incoming: Incoming) => void
  /** Where questions the policy could not answer are kept for staff (masked, without who asked). */
  readonly unanswered?: UnansweredRecorder
  /** Called for unsubscribe events so the caller can record them. */
  readonly onUnsubscribe?: (incoming: Incoming) => Promise<void> | void
  /**
   * Serialises one person's turns across every replica sharing the state (a database lock); within
   * this process they are serialised anyway.
   */
  readonly turnLock?: TurnLock
}

/**
 * The channel-agnostic assistant: one incoming message in, at most one reply out.
 * Policy questions are answered here; other capabilities plug in as `steps`.
 */
export function createAssistant(deps: AssistantDeps): Assistant {
  const pages = new PageMemory()
  const limiter = deps.rateLimit ? (deps.rateLimit.shared ?? new RateLimiter(deps.rateLimit.perMinute)) : undefined
  const { policy, clock, logger } = deps

  const reply = (text: string): Reply => ({ text })
  const answering = createPolicyAnswering({ ...deps, pages })
  const deliverHeld = deps.heldNotices ? createHeldDelivery(deps.heldNotices, pages, logger) : async (_ctx: TurnContext, answer: Reply | null) => answer

  async function handleText(ctx: TurnContext): Promise<Reply | null> {
    if (ctx.text === '') return reply(texts.emptyMessage())
    for (const step of steps) {
      const result = await step(ctx)
      if (result !== undefined) return result
    }
    return answering.answerPolicy(ctx)
  }

  const steps: readonly TurnHandler[] = [...(deps.steps?.(answering) ?? []), answering.builtIn]

  // One message per person at a time: their conversation state is read and written across awaits.
  const perUser = new SerialQueue()

  function handle(incoming: Incoming): Promise<Reply | null> {
    const key = personKey(incoming)
    const lock = deps.turnLock
    return perUser.run(key, () => (lock ? lock.run(key, () => handleNow(incoming)) : handleNow(incoming)))
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
    if (limiter && !deps.rateLimit!.exempt(incoming) && !(await limiter.allow(ctx.userKey, ctx.now))) {
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
      if (topic) return answering.answerTopic({ ...ctx, lang: 'zh' }, topic.number)
    }
    if (/^(HELP|MENU)$/i.test(key) || key === '') return reply(texts.welcome(policy.topics()))
    const keyText = cleanText(key.replace(/_/g, ' '))
    return handleText({ ...ctx, text: normalizeText(keyText), rawText: keyText, lang: detectLang(key) })
  }

  return { handle }
}
