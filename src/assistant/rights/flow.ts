import { LRUCache } from 'lru-cache'
import type { Logger } from '../../log.js'
import type { Lang } from '../../lang.js'
import { MAX_REPLY_BYTES, type PolicyStore } from '../../policy/types.js'
import type { RightType } from '../../requests/model.js'
import type { RequestRepository } from '../../requests/repository.js'
import type { PreferencesStore } from '../stores.js'
import type { PolicyTools, TurnContext, TurnHandler } from '../assistant.js'
import { clipReply, fits, preview, utf8Bytes } from '../fit.js'
import { isContinue, isHelp, isMore } from '../intents.js'
import { commandWord } from '../normalize.js'
import type { Reply } from '../types.js'
import { consequenceNotice, optOutStatement, rightsStatement } from './consequences.js'
import { DETAILS_NEEDED, MAX_DETAIL_CHARS, nextMissing, type Conversation, type ConversationPort } from './conversation.js'
import { applyEdit, parseEdit } from './edits.js'
import { correctValueIn, extractFields, looksLikeContactAttempt, validCompany, validEmail, validName, validPhone } from './fields.js'
import { isCancelWord, isControlWord, isNo, isQuestion, isSkip, isStaffWord, isStartWord, isYes, rightsIntent } from './intents.js'
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

/**
 * Rights requests taken in conversation. Recognises a request, collects name, contact, company and
 * the details the right needs one at a time, confirms, and files it durably before saying so.
 */
export function createRightsFlow(deps: RightsFlowDeps, tools: PolicyTools): TurnHandler {
  const { requests, conversations, preferences, policy, logger } = deps
  // The right last offered after a question, so a bare "申请" / "request" starts exactly that one.
  // Bounded and short-lived: it only bridges one or two messages.
  const offered = new LRUCache<string, { type: RightType; at: number }>({ max: 10_000 })

  const say = (text: string): Reply => ({ text: clipReply(text) })

  async function save(ctx: TurnContext, convo: Conversation): Promise<void> {
    convo.updatedAt = ctx.now.toISOString()
    await stored('conversation.save_failed', () => conversations.set(ctx.userKey, convo))
  }

  const forget = (ctx: TurnContext): Promise<boolean> => stored('conversation.delete_failed', () => conversations.delete(ctx.userKey))

  function isExpired(convo: Conversation, now: Date): boolean {
    return now.getTime() - Date.parse(convo.updatedAt) > deps.timeoutMs
  }

  /** Asks for the next missing field, or shows the summary when nothing is missing. */
  async function advance(ctx: TurnContext, convo: Conversation, lead?: string): Promise<Reply> {
    const missing = nextMissing(convo)
    if (missing) {
      convo.mode = 'collect'
      convo.awaiting = missing
      await save(ctx, convo)
      return say([lead, texts.ask(missing, convo.lang)].filter(Boolean).join('\n'))
    }
    convo.mode = 'confirm'
    convo.awaiting = undefined
    await save(ctx, convo)
    return say([lead, summaryText(convo)].filter(Boolean).join('\n'))
  }

  function summaryText(convo: Conversation): string {
    const { lang, fields } = convo
    const type = convo.type ?? 'access'
    const lines = [
      `${texts.fieldLabel('type', lang)}：${texts.rightName(type, lang)}`,
      `${texts.fieldLabel('name', lang)}：${fields.name ?? ''}`,
      ...(fields.email ? [`${texts.fieldLabel('email', lang)}：${fields.email}`] : []),
      ...(fields.phone ? [`${texts.fieldLabel('phone', lang)}：${fields.phone}`] : []),
      `${texts.fieldLabel('company', lang)}：${fields.company ?? '—'}`,
      ...DETAILS_NEEDED[type].map((k) => `${texts.fieldLabel(k, lang)}：${preview(fields.details[k] ?? '', 120)}`),
    ].map((l) => (lang === 'en' ? l.replace('：', ': ') : l))
    return texts.summary(lines, consequenceNotice(policy, type, lang), lang)
  }

  /** A policy answer, then a reminder of where the conversation stands — within one reply. */
  function answerThenResume(answer: Reply, prompt: string, lang: Lang): Reply {
    const full = `${answer.text}\n\n${texts.resume(prompt, lang)}`
    if (fits(full)) return say(full)
    const short = texts.resumeShort(lang)
    return say(`${clipReply(answer.text, MAX_REPLY_BYTES - utf8Bytes(short) - 2)}\n\n${short}`)
  }

  function currentPrompt(convo: Conversation): string {
    if (convo.mode === 'choose') return texts.chooseNumber(convo.lang)
    if (convo.mode === 'confirm') return texts.confirmOrCancel(convo.lang)
    return texts.ask(convo.awaiting ?? nextMissing(convo) ?? 'name', convo.lang)
  }

  /** The refusal when this person already has as many open requests as allowed. */
  async function overLimit(ctx: TurnContext): Promise<Reply | undefined> {
    const max = deps.maxOpenRequests ?? 5
    const open = await stored('request.count_failed', () => requests.countOpenByUser(ctx.incoming.channel, ctx.incoming.userId))
    if (open < max) return undefined
    logger.warn({ event: 'request.limit_reached', open })
    return say(texts.tooManyOpen(max, ctx.lang))
  }

  async function start(ctx: TurnContext, type: RightType, fromText: string): Promise<Reply> {
    offered.delete(ctx.userKey)
    if (type === 'marketing-opt-out') return optOut(ctx)
    const refused = await overLimit(ctx)
    if (refused) return refused
    const now = ctx.now.toISOString()
    const convo: Conversation = { v: 1, mode: 'collect', type, lang: ctx.lang, fields: { details: {}, ...extractFields(fromText) }, startedAt: now, updatedAt: now }
    logger.info({ event: 'conversation.started', type })
    // What follows from the request (deletion, objection, withdrawal) is said before anything is asked,
    // and again before confirming; other rights open with the policy's own statement of the right.
    const lead = [texts.started(type, ctx.lang), consequenceNotice(policy, type, ctx.lang) ?? rightsStatement(policy, ctx.lang)].filter(Boolean).join('\n')
    return advance(ctx, convo, lead)
  }

  /** Marketing opt-out needs no identity check: it takes effect now and is recorded. */
  async function optOut(ctx: TurnContext): Promise<Reply> {
    const at = ctx.now.toISOString()
    let record: { id: string }
    try {
      const current = (await stored('preferences.read_failed', () => preferences.get(ctx.userKey))) ?? {}
      await stored('preferences.save_failed', () => preferences.set(ctx.userKey, { ...current, marketingOptOut: current.marketingOptOut ?? { optedOutAt: at } }))
      record = await stored('request.create_failed', () =>
        requests.create(
          { kind: 'rights', type: 'marketing-opt-out', channel: ctx.incoming.channel, userId: ctx.incoming.userId, personal: null, state: 'closed' },
          { actor: 'user', action: 'created', note: 'marketing opt-out, effective immediately' },
        ),
      )
    } catch (err) {
      // Asking again is safe: an opt-out already in place keeps its date, and nothing was confirmed.
      if (!(err instanceof StorageFailure)) throw err
      logger.error({ event: err.event, code: err.code })
      return say(texts.optOutNotSaved(ctx.lang))
    }
    logger.info({ event: 'request.created', id: record.id, type: 'marketing-opt-out' })
    return say([texts.optedOut(record.id, ctx.lang), optOutStatement(policy, ctx.lang)].filter(Boolean).join('\n'))
  }

  async function file(ctx: TurnContext, convo: Conversation): Promise<Reply> {
    const type = convo.type ?? 'access'
    const { name, email, phone, company, details } = convo.fields
    let record: { id: string }
    try {
      record = await requests.create(
        {
          kind: 'rights',
          type,
          channel: ctx.incoming.channel,
          userId: ctx.incoming.userId,
          personal: { name, email, phone, company, details: { ...details } },
        },
        { actor: 'user', action: 'created', note: type },
      )
    } catch (err) {
      // Nothing was filed: say so, and leave the conversation at the summary so "确认" files it later.
      logger.error({ event: 'request.create_failed', code: errorCode(err) })
      return say(texts.notFiled(convo.lang))
    }
    logger.info({ event: 'request.created', id: record.id, type })
    await forgetFiled(ctx)
    return say(texts.confirmed(record.id, type, convo.lang))
  }

  /**
   * After filing, the conversation is done. The request is already stored, so a failure to delete the
   * conversation must not turn a filed request into an error reply: it is logged, and the confirmation
   * with the request number still goes out.
   */
  async function forgetFiled(ctx: TurnContext): Promise<void> {
    try {
      await forget(ctx)
    } catch (err) {
      if (!(err instanceof StorageFailure)) throw err
      logger.error({ event: err.event, code: err.code })
    }
  }

  async function fileInquiry(ctx: TurnContext, convo: Conversation): Promise<Reply> {
    const message = ctx.rawText.slice(0, MAX_DETAIL_CHARS)
    let record: { id: string }
    try {
      record = await requests.create(
        { kind: 'inquiry', channel: ctx.incoming.channel, userId: ctx.incoming.userId, personal: { details: { message } } },
        { actor: 'user', action: 'created', note: 'inquiry' },
      )
    } catch (err) {
      // Still waiting for the message: sending it again files it.
      logger.error({ event: 'request.create_failed', code: errorCode(err) })
      return say(texts.inquiryNotSaved(convo.lang))
    }
    logger.info({ event: 'inquiry.created', id: record.id })
    await forgetFiled(ctx)
    return say(texts.inquiryFiled(record.id, convo.lang))
  }

  /** Stores the answer to the field asked for; false (nothing stored) when it does not fit that field. */
  function takeAnswer(ctx: TurnContext, convo: Conversation): boolean {
    const text = ctx.text
    const f = convo.fields
    const prompt = convo.awaiting
    if (prompt === 'name') {
      const name = validName(text)
      // A name never reads as a policy question ("tell me about cookies" is not a name).
      if (!name || policy.answer(text, ctx.lang)) return false
      f.name = name
      return true
    }
    if (prompt === 'contact') {
      const email = validEmail(text)
      const phone = email ? undefined : validPhone(text)
      if (!email && !phone) return false
      if (email) f.email = email
      if (phone) f.phone = phone
      return true
    }
    if (prompt === 'company') {
      if (isSkip(text)) {
        f.companySkipped = true
        return true
      }
      const company = validCompany(text)
      if (!company) return false
      f.company = company
      return true
    }
    if (prompt?.startsWith('details.')) {
      const key = prompt.slice('details.'.length)
      // A complaint may well be phrased as a question; other details that read as a policy question are answered instead.
      const freeText = key === 'complaint'
      if (!freeText && isQuestion(text) && policy.answer(text, ctx.lang)) return false
      // "no", "不", "没有", "确认": a reply to the bot, not the value asked for.
      if (commandWord(text) === '' || isControlWord(text)) return false
      f.details[key] = ctx.rawText.slice(0, MAX_DETAIL_CHARS)
      // "应该是 13900139000" while saying what is wrong already gives the correct value: not asked again.
      // At the correct-value step the same phrasing keeps just the value.
      const stated = key === 'what' || key === 'correction' ? correctValueIn(ctx.rawText) : undefined
      if (stated) f.details.correction = stated.slice(0, MAX_DETAIL_CHARS)
      return true
    }
    return false
  }

  async function continueConversation(ctx: TurnContext, convo: Conversation): Promise<Reply> {
    const { lang } = convo
    if (isCancelWord(ctx.text)) {
      await forget(ctx)
      logger.info({ event: 'conversation.cancelled', type: convo.type ?? convo.mode })
      return say(texts.cancelled(lang))
    }
    if (isMore(ctx.text)) {
      // 继续 / "continue" shows the next page when there is one, and otherwise goes back to the request.
      if (isContinue(ctx.text) && !tools.hasMore(ctx)) {
        await save(ctx, convo)
        return say(currentPrompt(convo))
      }
      return answerThenResume(tools.nextPage(ctx), currentPrompt(convo), lang)
    }
    if (convo.mode === 'inquiry') {
      // "request", "确认", "help" right after "人工" steer the bot; they are not the message for staff.
      if (commandWord(ctx.text) === '' || isControlWord(ctx.text)) {
        await save(ctx, convo)
        return say(texts.messageAgain(lang))
      }
      return fileInquiry(ctx, convo)
    }
    if (isHelp(ctx.text)) {
      await save(ctx, convo)
      return say(currentPrompt(convo))
    }
    if (convo.mode === 'choose') return choose(ctx, convo)

    const edit = parseEdit(ctx.text)
    if (edit) {
      const result = applyEdit(convo, edit)
      if (result === 'ask') {
        await save(ctx, convo)
        return say(texts.ask(convo.awaiting ?? 'name', lang))
      }
      if (result === 'applied') return advance(ctx, convo)
      return answerThenResume({ text: texts.invalid(edit.field === 'name' ? 'name' : 'contact', lang) }, currentPrompt(convo), lang)
    }

    const extracted = extractFields(ctx.text)
    if (Object.keys(extracted).length > 0 && !(convo.awaiting?.startsWith('details.') ?? false)) {
      Object.assign(convo.fields, extracted)
      return advance(ctx, convo)
    }

    if (convo.mode === 'confirm') {
      if (isYes(ctx.text)) return file(ctx, convo)
      if (isNo(ctx.text)) {
        await save(ctx, convo)
        return say(texts.whatToChange(lang))
      }
      if (isQuestion(ctx.text) || policy.answer(ctx.text, ctx.lang)) return answerThenResume(tools.answerPolicy(ctx), currentPrompt(convo), lang)
      return say(texts.confirmOrCancel(lang))
    }

    if (takeAnswer(ctx, convo)) return advance(ctx, convo)
    const prompt = convo.awaiting ?? 'name'
    // A control word, or a contact that is not valid ("abc@", "me at qq"), is asked again in the
    // conversation's language; it is never read as a policy question.
    const reAsk = isControlWord(ctx.text) || (prompt === 'contact' && looksLikeContactAttempt(ctx.text) && !isQuestion(ctx.text))
    if (!reAsk && (isQuestion(ctx.text) || policy.answer(ctx.text, ctx.lang))) {
      await save(ctx, convo)
      return answerThenResume(tools.answerPolicy(ctx), texts.ask(prompt, lang), lang)
    }
    await save(ctx, convo)
    return say(`${texts.invalid(prompt, lang)}${lang === 'zh' ? '' : ' '}${texts.ask(prompt, lang)}`)
  }

  async function choose(ctx: TurnContext, convo: Conversation): Promise<Reply> {
    const n = /^\d{1,2}$/.test(ctx.text) ? Number(ctx.text) : NaN
    const picked = texts.MENU_ORDER[n - 1]
    if (picked) {
      await forget(ctx)
      return start({ ...ctx, lang: convo.lang }, picked, '')
    }
    const intent = rightsIntent(ctx.text)
    if (intent) {
      await forget(ctx)
      return start({ ...ctx, lang: convo.lang }, intent.type, ctx.text)
    }
    if (isQuestion(ctx.text) || policy.answer(ctx.text, ctx.lang)) {
      await save(ctx, convo)
      return answerThenResume(tools.answerPolicy(ctx), texts.chooseNumber(convo.lang), convo.lang)
    }
    await save(ctx, convo)
    return say(texts.chooseNumber(convo.lang))
  }

  async function turn(ctx: TurnContext, convo: Conversation | undefined): Promise<Reply | undefined> {
    let note: string | undefined
    if (convo && isExpired(convo, ctx.now)) {
      await forget(ctx)
      logger.info({ event: 'conversation.expired' })
      note = texts.expired(convo.lang)
      convo = undefined
    }
    if (convo) return continueConversation(ctx, convo)

    const withNote = (r: Reply): Reply => (note ? say(`${note}\n${r.text}`) : r)
    // "取消" or "继续" just after a conversation timed out: the note says what became of it. (With no
    // conversation at all, the assistant itself says there is nothing to cancel.)
    if (note && (isCancelWord(ctx.text) || isContinue(ctx.text))) return say(note)
    const now = ctx.now.toISOString()
    if (isStartWord(ctx.text)) {
      const offer = offered.get(ctx.userKey)
      if (offer && ctx.now.getTime() - offer.at < OFFER_TTL_MS) return withNote(await start(ctx, offer.type, ''))
      const menu: Conversation = { v: 1, mode: 'choose', lang: ctx.lang, fields: { details: {} }, startedAt: now, updatedAt: now }
      await save(ctx, menu)
      return withNote(say(texts.rightsMenu(ctx.lang)))
    }
    if (isStaffWord(ctx.text)) {
      const refused = await overLimit(ctx)
      if (refused) return withNote(refused)
      const inquiry: Conversation = { v: 1, mode: 'inquiry', lang: ctx.lang, fields: { details: {} }, awaiting: 'details.message', startedAt: now, updatedAt: now }
      await save(ctx, inquiry)
      return withNote(say(texts.ask('details.message', ctx.lang)))
    }
    const intent = rightsIntent(ctx.text)
    if (!intent) return undefined
    if (intent.kind === 'request') return withNote(await start(ctx, intent.type, ctx.text))
    // A question about a right: answer from the policy, then offer to start one.
    offered.set(ctx.userKey, { type: intent.type, at: ctx.now.getTime() })
    const answer = tools.answerPolicy(ctx)
    const offer = texts.offerToStart(intent.type, ctx.lang)
    return fits(`${answer.text}\n\n${offer}`) ? say(`${answer.text}\n\n${offer}`) : answer
  }

  return async (ctx) => {
    let convo: Conversation | undefined
    try {
      convo = await stored('conversation.read_failed', () => conversations.get(ctx.userKey))
      return await turn(ctx, convo)
    } catch (err) {
      // Storage failed part-way: what the person sent was not taken, and the reply says so in their
      // language instead of a generic error. Only the event and the error code are logged.
      if (!(err instanceof StorageFailure)) throw err
      logger.error({ event: err.event, code: err.code })
      return say(texts.notSaved(convo?.lang ?? ctx.lang))
    }
  }
}
