import type { Lang } from '../../lang.js'
import type { RightType } from '../../requests/model.js'
import { isContinue, isHelp, isMore } from '../intents.js'
import { commandWord } from '../normalize.js'
import { parseEdit, type Edit } from './edits.js'
import { correctValueIn, extractFields, looksLikeContactAttempt, validCompany, validEmail, validName, validPhone, type ExtractedFields } from './fields.js'
import { isCancelWord, isControlWord, isNo, isQuestion, isSkip, isStaffWord, isStartWord, isYes, rightsIntent, type RightsIntent } from './intents.js'

/** Who sent the message: the requester a filed request records. */
export interface Requester {
  readonly channel: string
  readonly userId: string
}

/** What only the flow can find out (policy store, page memory, recent offers, storage), handed over as plain facts. */
export interface Facts {
  readonly from: Requester
  /** The policy has an answer for the message. Looked up only inside a conversation. */
  readonly answerable: boolean
  /** A next page of the last long answer is waiting. */
  readonly hasMorePages: boolean
  /** The right offered after a recent question about it: a bare "申请" / "request" starts exactly that one. */
  readonly offer?: RightType
  /** The person's unfinished conversation had timed out (and is gone): its language. */
  readonly expired?: Lang
}

/** The words that steer the conversation rather than answer it. */
export interface Words {
  readonly cancel: boolean
  /** 更多 / "more", and 继续 / "continue" too. */
  readonly more: boolean
  readonly continue: boolean
  readonly help: boolean
  readonly yes: boolean
  readonly no: boolean
  readonly skip: boolean
  readonly start: boolean
  readonly staff: boolean
  /** Any steering word at all (yes, no, skip, cancel, help, more, request, staff, "嗯"): never a name, a value or a message. */
  readonly control: boolean
}

/** The message read as an answer to each thing the conversation may have asked for. */
export interface Readings {
  readonly name?: string
  readonly email?: string
  readonly phone?: string
  readonly company?: string
  /** Meant as an e-mail address or phone number, valid or not ("abc@", "me at qq"). */
  readonly contactAttempt: boolean
  /** The correct value stated along with what is wrong ("应该是 13900139000"). */
  readonly correctValue?: string
}

/** One message, classified in the terms the conversation needs, with the facts the flow looked up. */
export interface ClassifiedInput extends Facts {
  readonly lang: Lang
  /** The text as the person wrote it: what is stored as a detail or a message for staff. */
  readonly rawText: string
  readonly word: Words
  /** Nothing but spaces and punctuation. */
  readonly blank: boolean
  readonly question: boolean
  /** A bare one- or two-digit number: a pick from the rights menu. */
  readonly menuNumber?: number
  readonly intent: RightsIntent | null
  readonly edit: Edit | null
  /** Labelled or self-evident values anywhere in the message. */
  readonly extracted: ExtractedFields
  readonly reading: Readings
}

/** The message as the assistant has it: normalised for recognising words, and as written. */
export interface Message {
  readonly text: string
  readonly rawText: string
  readonly lang: Lang
}

export function classify(message: Message, facts: Facts): ClassifiedInput {
  const { text, rawText, lang } = message
  return {
    ...facts,
    lang,
    rawText,
    word: wordsIn(text),
    blank: commandWord(text) === '',
    question: isQuestion(text),
    menuNumber: /^\d{1,2}$/.test(text) ? Number(text) : undefined,
    intent: rightsIntent(text),
    edit: parseEdit(text),
    extracted: extractFields(text),
    reading: readingsOf(text, rawText),
  }
}

function wordsIn(text: string): Words {
  return {
    cancel: isCancelWord(text),
    more: isMore(text),
    continue: isContinue(text),
    help: isHelp(text),
    yes: isYes(text),
    no: isNo(text),
    skip: isSkip(text),
    start: isStartWord(text),
    staff: isStaffWord(text),
    control: isControlWord(text),
  }
}

function readingsOf(text: string, rawText: string): Readings {
  return {
    name: validName(text),
    email: validEmail(text),
    phone: validPhone(text),
    company: validCompany(text),
    contactAttempt: looksLikeContactAttempt(text),
    correctValue: correctValueIn(rawText),
  }
}
