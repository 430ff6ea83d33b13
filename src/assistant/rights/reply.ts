import type { Lang } from '../../lang.js'
import type { PolicyStore } from '../../policy/types.js'
import { clipReply, fits, MAX_REPLY_BYTES, utf8Bytes } from '../../reply-size.js'
import type { PolicyTools, TurnContext } from '../turn.js'
import { preview } from '../quote-text.js'
import type { Reply } from '../types.js'
import { consequenceNotice, optOutStatement, rightsStatement } from './consequences.js'
import { DETAILS_NEEDED, type Conversation } from './conversation.js'
import type { Answer, Part, ReplyPlan } from './machine.js'
import * as texts from './texts.js'

/** Builds the reply a step planned, once its effects have run: policy quotes, policy answers and the filed request's number filled in. */

export interface ReplySources {
  readonly policy: PolicyStore
  readonly tools: PolicyTools
  readonly ctx: TurnContext
  /** The number of the request (or message, or opt-out) filed this turn. */
  readonly filedId?: string
}

export const say = (text: string): Reply => ({ text: clipReply(text) })

/** The note goes before the reply, in the same message. */
export const withNote = (reply: Reply, note: string | undefined): Reply => (note ? say(`${note}\n${reply.text}`) : reply)

export function buildReply(plan: ReplyPlan, from: ReplySources): Reply | undefined {
  switch (plan.kind) {
    case 'pass':
      return undefined
    case 'say':
      return say(plan.parts.map((part) => partText(part, from)).filter(Boolean).join('\n'))
    case 'resume':
      return answerThenResume(answerOf(plan.answer, from), plan.prompt, plan.lang)
    case 'offer':
      return answerWithOffer(plan, from)
  }
}

function partText(part: Part, from: ReplySources): string | undefined {
  switch (part.kind) {
    case 'text':
      return part.text
    case 'rightQuote':
      return consequenceNotice(from.policy, part.type, part.lang) ?? rightsStatement(from.policy, part.lang)
    case 'summary':
      return summaryText(part.convo, from.policy)
    case 'filed':
      return texts.confirmed(filedId(from), part.type, part.lang)
    case 'inquiryFiled':
      return texts.inquiryFiled(filedId(from), part.lang)
    case 'optedOut':
      return [texts.optedOut(filedId(from), part.lang), optOutStatement(from.policy, part.lang)].filter(Boolean).join('\n')
  }
}

function filedId(from: ReplySources): string {
  if (from.filedId === undefined) throw new Error('a filing reply without a filed request')
  return from.filedId
}

function answerOf(answer: Answer, from: ReplySources): Reply {
  if (answer.kind === 'policy') return from.tools.answerPolicy(from.ctx)
  if (answer.kind === 'nextPage') return from.tools.nextPage(from.ctx)
  return { text: answer.text }
}

/** A policy answer, then a reminder of where the conversation stands — within one reply. */
function answerThenResume(answer: Reply, prompt: string, lang: Lang): Reply {
  const full = `${answer.text}\n\n${texts.resume(prompt, lang)}`
  if (fits(full)) return say(full)
  const short = texts.resumeShort(lang)
  return say(`${clipReply(answer.text, MAX_REPLY_BYTES - utf8Bytes(short) - 2)}\n\n${short}`)
}

/** The answer to a question about a right, and an offer to start one when both fit in one reply. */
function answerWithOffer(plan: Extract<ReplyPlan, { kind: 'offer' }>, from: ReplySources): Reply {
  const answer = from.tools.answerPolicy(from.ctx)
  const offer = plan.earlier ? texts.statusHint(plan.lang) : texts.offerToStart(plan.type, plan.lang)
  return fits(`${answer.text}\n\n${offer}`) ? say(`${answer.text}\n\n${offer}`) : answer
}

function summaryText(convo: Conversation, policy: PolicyStore): string {
  const { lang, fields } = convo
  const type = convo.type ?? 'access'
  const lines = [
    texts.summaryLine('type', texts.rightName(type, lang), lang),
    texts.summaryLine('name', fields.name ?? '', lang),
    ...(fields.email ? [texts.summaryLine('email', fields.email, lang)] : []),
    ...(fields.phone ? [texts.summaryLine('phone', fields.phone, lang)] : []),
    texts.summaryLine('company', fields.company ?? '—', lang),
    ...DETAILS_NEEDED[type].map((k) => texts.summaryLine(k, preview(fields.details[k] ?? '', 120), lang)),
  ]
  return texts.summary(lines, consequenceNotice(policy, type, lang), lang)
}
