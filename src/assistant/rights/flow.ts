import { LRUCache } from 'lru-cache'
import type { Logger } from '../../log.js'
import type { Lang } from '../../lang.js'
import type { PolicyStore } from '../../policy/types.js'
import type { RightType } from '../../requests/model.js'
import type { RequestRepository } from '../../requests/repository.js'
import type { PreferencesStore } from '../stores.js'
import type { PolicyTools, TurnContext, TurnHandler } from '../turn.js'
import type { Reply } from '../types.js'
import type { Conversation, ConversationPort } from './conversation.js'
import { classify, type ClassifiedInput } from './input.js'
import { isControlWord, rightsIntent } from './intents.js'
import { step, type Effect } from './machine.js'
import { buildReply, say, withNote } from './reply.js'
import * as texts from './texts.js'

export interface RightsFlowDeps {
  readonly requests: RequestRepository
  readonly conversations: ConversationPort
  readonly preferences: PreferencesStore
  readonly policy: PolicyStore
  readonly logger: Logger
  /** Idle time after which a half-finished conversation is dropped (ms). */
  readonly timeoutMs: number
  /** Open requests one person may have at once, so one person cannot flood staff (default 5). */
  readonly maxOpenRequests?: number
}

const OFFER_TTL_MS = 30 * 60_000

/** A storage call failed mid-turn. Carries only what is logged: the event name and the error code. */
class StorageFailure extends Error {
  constructor(
    readonly event: string,
    readonly code: string,
  ) {
    super(`${event} (${code})`)
    this.name = 'StorageFailure'
  }
}

/** The error's code (ENOSPC, EACCES, …) — never its message, which may quote the data being written. */
function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'UNKNOWN'
}

/** Runs a storage call; a failure becomes a StorageFailure named after what was being done. */
async function stored<T>(event: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    throw err instanceof StorageFailure ? err : new StorageFailure(event, errorCode(err))
  }
}

/** Everything a turn's I/O touches: the stores, the policy answering, and the rights recently offered. */
interface Io {
  readonly deps: RightsFlowDeps
  readonly tools: PolicyTools
  /** The right last offered after a question, so a bare "申请" / "request" starts exactly that one. Bounded and short-lived: it only bridges one or two messages. */
  readonly offers: LRUCache<string, { type: RightType; at: number }>
}

/** What running an effect gave: the number of what it filed, or a reply that ends the turn (a refusal, or an honest failure). */
interface Outcome {
  readonly id?: string
  readonly ended?: Reply
}

/**
 * Rights requests taken in conversation. Recognises a request, collects name, contact, company and
 * the details the right needs one at a time, confirms, and files it durably before saying so.
 * The conversation itself is machine.ts; this is its I/O.
 */
export function createRightsFlow(deps: RightsFlowDeps, tools: PolicyTools): TurnHandler {
  const io: Io = { deps, tools, offers: new LRUCache({ max: 10_000 }) }
  return async (ctx) => {
    let loaded: Conversation | undefined
    try {
      loaded = await stored('conversation.read_failed', () => deps.conversations.get(ctx.userKey))
    } catch (err) {
      if (!(err instanceof StorageFailure)) throw err
      deps.logger.error({ event: err.event, code: err.code })
      return unreadable(deps, ctx)
    }
    try {
      return await turn(io, ctx, loaded)
    } catch (err) {
      // Storage failed part-way: what the person sent was not taken, and the reply says so in their
      // language instead of a generic error. Only the event and the error code are logged.
      if (!(err instanceof StorageFailure)) throw err
      deps.logger.error({ event: err.event, code: err.code })
      return say(texts.notSaved(loaded?.lang ?? ctx.lang))
    }
  }
}

/**
 * The conversation cannot be read (the database is down): nothing of a request can be taken now, but
 * a policy question is still answered by the later steps, from memory.
 */
function unreadable(deps: RightsFlowDeps, ctx: TurnContext): Reply | undefined {
  const aboutRequests = rightsIntent(ctx.text)?.kind === 'request' || isControlWord(ctx.text)
  return !aboutRequests && deps.policy.answer(ctx.text, ctx.lang) ? undefined : say(texts.unavailable(ctx.lang))
}

async function turn(io: Io, ctx: TurnContext, loaded: Conversation | undefined): Promise<Reply | undefined> {
  const expired = loaded && ctx.now.getTime() - Date.parse(loaded.updatedAt) > io.deps.timeoutMs ? await expire(io, ctx, loaded) : undefined
  const convo = expired ? undefined : loaded
  const planned = step(convo, classifyTurn(io, ctx, convo, expired), ctx.now)
  const outcome = await runEffects(io, ctx, planned.effects)
  const reply = outcome.ended ?? buildReply(planned.reply, { policy: io.deps.policy, tools: io.tools, ctx, filedId: outcome.id })
  return reply && withNote(reply, planned.note)
}

/** Drops a conversation left idle too long; its language is kept for the note that says so. */
async function expire(io: Io, ctx: TurnContext, convo: Conversation): Promise<Lang> {
  await forget(io, ctx)
  io.deps.logger.info({ event: 'conversation.expired' })
  return convo.lang
}

/** The message classified, with what only I/O can tell: whether the policy answers it, a waiting page, a recent offer. */
function classifyTurn(io: Io, ctx: TurnContext, convo: Conversation | undefined, expired: Lang | undefined): ClassifiedInput {
  const inConversation = convo !== undefined
  return classify(ctx, {
    from: { channel: ctx.incoming.channel, userId: ctx.incoming.userId },
    answerable: () => inConversation && Boolean(io.deps.policy.answer(ctx.text, ctx.lang)),
    hasMorePages: inConversation && io.tools.hasMore(ctx),
    offer: inConversation ? undefined : recentOffer(io, ctx),
    expired,
  })
}

function recentOffer(io: Io, ctx: TurnContext): RightType | undefined {
  const offer = io.offers.get(ctx.userKey)
  return offer && ctx.now.getTime() - offer.at < OFFER_TTL_MS ? offer.type : undefined
}

/** Runs the effects in order; one that ends the turn stops the rest. */
async function runEffects(io: Io, ctx: TurnContext, effects: readonly Effect[]): Promise<Outcome> {
  let id: string | undefined
  for (const effect of effects) {
    const outcome = await run(io, ctx, effect)
    if (outcome.ended) return outcome
    id = outcome.id ?? id
  }
  return { id }
}

async function run(io: Io, ctx: TurnContext, effect: Effect): Promise<Outcome> {
  switch (effect.kind) {
    case 'save':
      await stored('conversation.save_failed', () => io.deps.conversations.set(ctx.userKey, effect.convo))
      return {}
    case 'delete':
      await (effect.bestEffort ? forgetFiled(io, ctx) : forget(io, ctx))
      return {}
    case 'log':
      io.deps.logger.info(effect.entry)
      return {}
    case 'requireCapacity':
      return requireCapacity(io, ctx, effect.lang)
    case 'recordOptOut':
      return recordOptOut(io, ctx, effect)
    case 'file':
      return file(io, effect)
    case 'rememberOffer':
      io.offers.set(ctx.userKey, { type: effect.type, at: effect.at })
      return {}
    case 'forgetOffer':
      io.offers.delete(ctx.userKey)
      return {}
  }
}

const forget = (io: Io, ctx: TurnContext): Promise<boolean> => stored('conversation.delete_failed', () => io.deps.conversations.delete(ctx.userKey))

/**
 * After filing, the conversation is done. The request is already stored, so a failure to delete the
 * conversation must not turn a filed request into an error reply: it is logged, and the confirmation
 * with the request number still goes out.
 */
async function forgetFiled(io: Io, ctx: TurnContext): Promise<void> {
  try {
    await forget(io, ctx)
  } catch (err) {
    if (!(err instanceof StorageFailure)) throw err
    io.deps.logger.error({ event: err.event, code: err.code })
  }
}

/** The refusal when this person already has as many open requests as allowed. */
async function requireCapacity(io: Io, ctx: TurnContext, lang: Lang): Promise<Outcome> {
  const max = io.deps.maxOpenRequests ?? 5
  const open = await stored('request.count_failed', () => io.deps.requests.countOpenByUser(ctx.incoming.channel, ctx.incoming.userId))
  if (open < max) return {}
  io.deps.logger.warn({ event: 'request.limit_reached', open })
  return { ended: say(texts.tooManyOpen(max, lang)) }
}

async function recordOptOut(io: Io, ctx: TurnContext, effect: Extract<Effect, { kind: 'recordOptOut' }>): Promise<Outcome> {
  const { preferences, logger } = io.deps
  try {
    const current = (await stored('preferences.read_failed', () => preferences.get(ctx.userKey))) ?? {}
    const marketingOptOut = current.marketingOptOut ?? { optedOutAt: effect.at }
    await stored('preferences.save_failed', () => preferences.set(ctx.userKey, { ...current, marketingOptOut }))
    return {}
  } catch (err) {
    // Asking again is safe: an opt-out already in place keeps its date, and nothing was confirmed.
    if (!(err instanceof StorageFailure)) throw err
    logger.error({ event: err.event, code: err.code })
    return { ended: say(effect.failed) }
  }
}

/** Files a request or a message to staff. If that fails nothing was filed, and the reply says so. */
async function file(io: Io, effect: Extract<Effect, { kind: 'file' }>): Promise<Outcome> {
  const { requests, logger } = io.deps
  let record: { id: string }
  try {
    record = await requests.create(effect.request, effect.audit)
  } catch (err) {
    logger.error({ event: 'request.create_failed', code: errorCode(err) })
    return { ended: say(effect.failed) }
  }
  const { kind, type } = effect.request
  logger.info(kind === 'inquiry' ? { event: 'inquiry.created', id: record.id } : { event: 'request.created', id: record.id, type })
  return { id: record.id }
}
