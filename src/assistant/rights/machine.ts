import type { Lang } from '../../lang.js'
import type { AuditInput, NewRequest, RightType } from '../../requests/model.js'
import { MAX_DETAIL_CHARS, nextMissing, type Conversation } from './conversation.js'
import { applyEdit, type Edit } from './edits.js'
import type { CollectedFields, ExtractedFields } from './fields.js'
import type { ClassifiedInput } from './input.js'
import * as texts from './texts.js'

/**
 * The rights-request conversation as a pure transition: the stored conversation (if any) and one
 * classified message in; the conversation after it, the reply to give and the I/O to do, as data, out.
 * Nothing here reads or writes a store; flow.ts runs the effects in order and builds the reply.
 */

/** A line of the reply. Wording comes from texts.ts; what needs the policy or a filed request's number is named, and filled in by reply.ts. */
export type Part =
  | { readonly kind: 'text'; readonly text: string }
  /** What follows from a request of this type (deletion, objection, withdrawal), else the policy's own statement of the rights. */
  | { readonly kind: 'rightQuote'; readonly type: RightType; readonly lang: Lang }
  /** The request to confirm, with what follows from it. */
  | { readonly kind: 'summary'; readonly convo: Conversation }
  /** The confirmation of the request just filed, with its number. */
  | { readonly kind: 'filed'; readonly type: RightType; readonly lang: Lang }
  | { readonly kind: 'inquiryFiled'; readonly lang: Lang }
  /** The opt-out confirmation with its number, and the policy's words on opting out. */
  | { readonly kind: 'optedOut'; readonly lang: Lang }

/** What comes before "back to your request": the policy's answer, the next page of the last one, or a short note. */
export type Answer = { readonly kind: 'policy' } | { readonly kind: 'nextPage' } | { readonly kind: 'text'; readonly text: string }

export type ReplyPlan =
  /** Not about a rights request: the assistant's next step takes the message. */
  | { readonly kind: 'pass' }
  /** The parts, one a line. */
  | { readonly kind: 'say'; readonly parts: readonly Part[] }
  /** An answer, then a reminder of where the request stands — within one reply. */
  | { readonly kind: 'resume'; readonly answer: Answer; readonly prompt: string; readonly lang: Lang }
  /**
   * A question about a right: the policy's answer, with an offer to start a request when both fit —
   * or, when it is about a request made earlier, where to see its status.
   */
  | { readonly kind: 'offer'; readonly type: RightType; readonly lang: Lang; readonly earlier?: boolean }

export interface LogEntry {
  readonly event: string
  readonly type?: string
}

/** The I/O of one turn, run in this order. An effect that fails with a reply of its own (`failed`, or the limit's refusal) ends the turn with it. */
export type Effect =
  | { readonly kind: 'save'; readonly convo: Conversation }
  /** bestEffort: the request is filed already, so a failure is logged and the confirmation still goes out. */
  | { readonly kind: 'delete'; readonly bestEffort?: boolean }
  | { readonly kind: 'log'; readonly entry: LogEntry }
  /** Refuses, in `lang`, when the person already has as many open requests as allowed. */
  | { readonly kind: 'requireCapacity'; readonly lang: Lang }
  /** Marks the person as opted out of marketing (an opt-out already in place keeps its date). */
  | { readonly kind: 'recordOptOut'; readonly at: string; readonly failed: string }
  /** Files a rights request or a message to staff; its number is what the 'filed' parts show. */
  | { readonly kind: 'file'; readonly request: NewRequest; readonly audit: AuditInput; readonly failed: string }
  | { readonly kind: 'rememberOffer'; readonly type: RightType; readonly at: number }
  | { readonly kind: 'forgetOffer' }

export interface Step {
  /** The conversation once every effect has run; 'unchanged' when nothing is saved or deleted. */
  readonly state: Conversation | undefined | 'unchanged'
  readonly reply: ReplyPlan
  readonly effects: readonly Effect[]
  /** Said before the reply, whatever it turns out to be: that an earlier conversation timed out. */
  readonly note?: string
}

export function step(state: Conversation | undefined, input: ClassifiedInput, now: Date): Step {
  return state ? converse(state, input, now) : idle(input, now)
}

const say = (...parts: Array<Part | string>): ReplyPlan => ({ kind: 'say', parts: parts.map((p) => (typeof p === 'string' ? { kind: 'text', text: p } : p)) })
const resume = (answer: Answer, prompt: string, lang: Lang): ReplyPlan => ({ kind: 'resume', answer, prompt, lang })
const POLICY: Answer = { kind: 'policy' }
const unchanged = (reply: ReplyPlan): Step => ({ state: 'unchanged', reply, effects: [] })

/** Saves the conversation as it now stands (touched now), with this reply. */
function saved(convo: Conversation, now: Date, reply: ReplyPlan, before: readonly Effect[] = []): Step {
  const touched = { ...convo, updatedAt: now.toISOString() }
  return { state: touched, reply, effects: [...before, { kind: 'save', convo: touched }] }
}

const withNote = (s: Step, note: string | undefined): Step => (note ? { ...s, note } : s)

function fresh(mode: Conversation['mode'], lang: Lang, now: Date, more: Partial<Conversation> = {}): Conversation {
  const at = now.toISOString()
  return { v: 1, mode, lang, fields: { details: {} }, ...more, startedAt: at, updatedAt: at }
}

/** No conversation under way: a rights request, the rights menu or a message for staff may start one. */
function idle(input: ClassifiedInput, now: Date): Step {
  const { word, intent, lang } = input
  const note = input.expired ? texts.expired(input.expired) : undefined
  // "取消" or "继续" just after a conversation timed out: the note says what became of it. (With no
  // conversation at all, the assistant itself says there is nothing to cancel.)
  if (note && (word.cancel || word.continue)) return unchanged(say(note))
  if (word.start && input.offer) return withNote(start(input.offer, {}, lang, input, now), note)
  if (word.start) return withNote(saved(fresh('choose', lang, now), now, say(texts.rightsMenu(lang))), note)
  if (word.staff) {
    const inquiry = fresh('inquiry', lang, now, { awaiting: 'details.message' })
    return withNote(saved(inquiry, now, say(texts.ask('details.message', lang)), [{ kind: 'requireCapacity', lang }]), note)
  }
  if (!intent) return unchanged({ kind: 'pass' })
  if (intent.kind === 'request') return withNote(start(intent.type, input.extracted, lang, input, now), note)
  if (intent.earlier) return unchanged({ kind: 'offer', type: intent.type, lang, earlier: true })
  // A question about a right: answer from the policy, then offer to start one.
  return { state: 'unchanged', reply: { kind: 'offer', type: intent.type, lang }, effects: [{ kind: 'rememberOffer', type: intent.type, at: now.getTime() }] }
}

function start(type: RightType, given: ExtractedFields, lang: Lang, input: ClassifiedInput, now: Date): Step {
  const forgetOffer: Effect = { kind: 'forgetOffer' }
  if (type === 'marketing-opt-out') return optOut(lang, input, now, [forgetOffer])
  const at = now.toISOString()
  const convo: Conversation = { v: 1, mode: 'collect', type, lang, fields: { details: {}, ...given }, startedAt: at, updatedAt: at }
  const before: Effect[] = [forgetOffer, { kind: 'requireCapacity', lang }, { kind: 'log', entry: { event: 'conversation.started', type } }]
  // What follows from the request (deletion, objection, withdrawal) is said before anything is asked,
  // and again before confirming; other rights open with the policy's own statement of the right.
  return advance(convo, now, [texts.started(type, lang), { kind: 'rightQuote', type, lang }], before)
}

/** Marketing opt-out needs no identity check: it takes effect now and is recorded. */
function optOut(lang: Lang, input: ClassifiedInput, now: Date, before: readonly Effect[]): Step {
  const failed = texts.optOutNotSaved(lang)
  const request: NewRequest = { kind: 'rights', type: 'marketing-opt-out', ...input.from, personal: null, state: 'closed' }
  const audit: AuditInput = { actor: 'user', action: 'created', note: 'marketing opt-out, effective immediately' }
  const effects: Effect[] = [...before, { kind: 'recordOptOut', at: now.toISOString(), failed }, { kind: 'file', request, audit, failed }]
  return { state: undefined, reply: say({ kind: 'optedOut', lang }), effects }
}

/** Asks for the next missing field, or shows the summary when nothing is missing. */
function advance(convo: Conversation, now: Date, lead: ReadonlyArray<Part | string> = [], before: readonly Effect[] = []): Step {
  const missing = nextMissing(convo)
  if (missing) return saved({ ...convo, mode: 'collect', awaiting: missing }, now, say(...lead, texts.ask(missing, convo.lang)), before)
  const confirming: Conversation = { ...convo, mode: 'confirm', awaiting: undefined }
  return saved(confirming, now, say(...lead, { kind: 'summary', convo: confirming }), before)
}

function currentPrompt(convo: Conversation): string {
  if (convo.mode === 'choose') return texts.chooseNumber(convo.lang)
  if (convo.mode === 'confirm') return texts.confirmOrCancel(convo.lang)
  return texts.ask(convo.awaiting ?? nextMissing(convo) ?? 'name', convo.lang)
}

/** A conversation is under way: the message continues it. */
function converse(convo: Conversation, input: ClassifiedInput, now: Date): Step {
  const { word } = input
  if (word.cancel) return cancel(convo)
  if (word.more) return more(convo, input, now)
  if (convo.mode === 'inquiry') return message(convo, input, now)
  if (word.help) return saved(convo, now, say(currentPrompt(convo)))
  if (convo.mode === 'choose') return choose(convo, input, now)
  if (input.edit) return edit(convo, input.edit, now)
  const awaitingDetail = convo.awaiting?.startsWith('details.') ?? false
  if (Object.keys(input.extracted).length > 0 && !awaitingDetail) return advance({ ...convo, fields: { ...convo.fields, ...input.extracted } }, now)
  if (convo.mode === 'confirm') return confirm(convo, input, now)
  return collect(convo, input, now)
}

function cancel(convo: Conversation): Step {
  const entry: LogEntry = { event: 'conversation.cancelled', type: convo.type ?? convo.mode }
  return { state: undefined, reply: say(texts.cancelled(convo.lang)), effects: [{ kind: 'delete' }, { kind: 'log', entry }] }
}

/** 继续 / "continue" shows the next page when there is one, and otherwise goes back to the request. */
function more(convo: Conversation, input: ClassifiedInput, now: Date): Step {
  if (input.word.continue && !input.hasMorePages) return saved(convo, now, say(currentPrompt(convo)))
  return unchanged(resume({ kind: 'nextPage' }, currentPrompt(convo), convo.lang))
}

/** After "人工": the message for staff. */
function message(convo: Conversation, input: ClassifiedInput, now: Date): Step {
  // "request", "确认", "help" right after "人工" steer the bot; they are not the message for staff.
  if (input.blank || input.word.control) return saved(convo, now, say(texts.messageAgain(convo.lang)))
  const request: NewRequest = { kind: 'inquiry', ...input.from, personal: { details: { message: input.rawText.slice(0, MAX_DETAIL_CHARS) } } }
  const audit: AuditInput = { actor: 'user', action: 'created', note: 'inquiry' }
  // If filing fails the conversation still waits for the message: sending it again files it.
  const failed = texts.inquiryNotSaved(convo.lang)
  return { state: undefined, reply: say({ kind: 'inquiryFiled', lang: convo.lang }), effects: [{ kind: 'file', request, audit, failed }, { kind: 'delete', bestEffort: true }] }
}

/** The rights menu is shown: a number or a named right starts that request. */
function choose(convo: Conversation, input: ClassifiedInput, now: Date): Step {
  const { lang } = convo
  const picked = input.menuNumber === undefined ? undefined : texts.MENU_ORDER[input.menuNumber - 1]
  const type = picked ?? input.intent?.type
  if (type) {
    const started = start(type, picked ? {} : input.extracted, lang, input, now)
    return { ...started, effects: [{ kind: 'delete' }, ...started.effects] }
  }
  if (input.question || input.answerable) return saved(convo, now, resume(POLICY, texts.chooseNumber(lang), lang))
  return saved(convo, now, say(texts.chooseNumber(lang)))
}

/** "修改邮箱 a@b.cn", "change name to Ann Lee", "edit phone". */
function edit(convo: Conversation, change: Edit, now: Date): Step {
  const edited = structuredClone(convo)
  const result = applyEdit(edited, change)
  if (result === 'ask') return saved(edited, now, say(texts.ask(edited.awaiting ?? 'name', convo.lang)))
  if (result === 'applied') return advance(edited, now)
  const note = texts.invalid(change.field === 'name' ? 'name' : 'contact', convo.lang)
  return unchanged(resume({ kind: 'text', text: note }, currentPrompt(convo), convo.lang))
}

/** The summary is shown: yes files it, no asks what to change, a question is answered. */
function confirm(convo: Conversation, input: ClassifiedInput, now: Date): Step {
  const { lang } = convo
  if (input.word.yes) return file(convo, input)
  if (input.word.no) return saved(convo, now, say(texts.whatToChange(lang)))
  if (input.question || input.answerable) return unchanged(resume(POLICY, currentPrompt(convo), lang))
  return unchanged(say(texts.confirmOrCancel(lang)))
}

/** Files the request; if that fails the conversation stays at the summary, so "确认" files it later. */
function file(convo: Conversation, input: ClassifiedInput): Step {
  const type = convo.type ?? 'access'
  const { name, email, phone, company, details } = convo.fields
  const request: NewRequest = { kind: 'rights', type, ...input.from, personal: { name, email, phone, company, details: { ...details } } }
  const audit: AuditInput = { actor: 'user', action: 'created', note: type }
  const failed = texts.notFiled(convo.lang)
  return { state: undefined, reply: say({ kind: 'filed', type, lang: convo.lang }), effects: [{ kind: 'file', request, audit, failed }, { kind: 'delete', bestEffort: true }] }
}

/** Asking for a field: the answer is stored, or the question is answered, or it is asked again. */
function collect(convo: Conversation, input: ClassifiedInput, now: Date): Step {
  const fields = takeAnswer(convo, input)
  if (fields) return advance({ ...convo, fields }, now)
  const { lang } = convo
  const prompt = convo.awaiting ?? 'name'
  // A control word, or a contact that is not valid ("abc@", "me at qq"), is asked again in the
  // conversation's language; it is never read as a policy question.
  const reAsk = input.word.control || (prompt === 'contact' && input.reading.contactAttempt && !input.question)
  if (!reAsk && (input.question || input.answerable)) return saved(convo, now, resume(POLICY, texts.ask(prompt, lang), lang))
  return saved(convo, now, say(texts.askAgain(prompt, lang)))
}

/** The fields with the answer to what was asked; undefined when it does not fit that field. */
function takeAnswer(convo: Conversation, input: ClassifiedInput): CollectedFields | undefined {
  const f = convo.fields
  const prompt = convo.awaiting
  if (prompt === 'name') return takeName(f, input)
  if (prompt === 'contact') return takeContact(f, input)
  if (prompt === 'company') return takeCompany(f, input)
  if (prompt?.startsWith('details.')) return takeDetail(f, prompt.slice('details.'.length), input)
  return undefined
}

function takeName(f: CollectedFields, input: ClassifiedInput): CollectedFields | undefined {
  const { name } = input.reading
  // A name never reads as a policy question ("tell me about cookies" is not a name).
  return name && !input.answerable ? { ...f, name } : undefined
}

function takeContact(f: CollectedFields, input: ClassifiedInput): CollectedFields | undefined {
  const { email } = input.reading
  const phone = email ? undefined : input.reading.phone
  if (email) return { ...f, email }
  return phone ? { ...f, phone } : undefined
}

function takeCompany(f: CollectedFields, input: ClassifiedInput): CollectedFields | undefined {
  if (input.word.skip) return { ...f, companySkipped: true }
  const { company } = input.reading
  return company ? { ...f, company } : undefined
}

function takeDetail(f: CollectedFields, key: string, input: ClassifiedInput): CollectedFields | undefined {
  // A complaint may well be phrased as a question; other details that read as a policy question are answered instead.
  const freeText = key === 'complaint'
  if (!freeText && input.question && input.answerable) return undefined
  // "no", "不", "没有", "确认": a reply to the bot, not the value asked for.
  if (input.blank || input.word.control) return undefined
  const details = { ...f.details, [key]: input.rawText.slice(0, MAX_DETAIL_CHARS) }
  // "应该是 13900139000" while saying what is wrong already gives the correct value: not asked again.
  // At the correct-value step the same phrasing keeps just the value.
  const stated = key === 'what' || key === 'correction' ? input.reading.correctValue : undefined
  if (stated) details.correction = stated.slice(0, MAX_DETAIL_CHARS)
  return { ...f, details }
}
