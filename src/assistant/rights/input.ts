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
  /**
   * Whether the policy has an answer for the message: asked only where the conversation needs to know
   * (inside one, for a message that is not plainly a question), as it is the costliest thing in a turn.
   */
  readonly answerable: () => boolean
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
export interface ClassifiedInput extends Omit<Facts, 'answerable'> {
  /** The policy has an answer for the message (see Facts.answerable; looked up when first read). */
  readonly answerable: boolean
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
  return new Classified(message, facts)
}

/**
 * A message read in every way the conversation may need. What only a conversation in progress looks
 * at (an edit, labelled values, readings as an answer) is read when first asked for: most messages
 * are policy questions. So is whether the policy answers it.
 */
class Classified implements ClassifiedInput {
  readonly from: Requester
  readonly hasMorePages: boolean
  readonly offer?: RightType
  readonly expired?: Lang
  readonly lang: Lang
  readonly rawText: string
  readonly word: Words
  readonly blank: boolean
  readonly question: boolean
  readonly menuNumber?: number
  readonly intent: RightsIntent | null
  readonly #text: string
  readonly #answerable: () => boolean
  #answers?: boolean
  #edit?: Edit | null
  #extracted?: ExtractedFields
  #reading?: Readings

  constructor({ text, rawText, lang }: Message, facts: Facts) {
    this.from = facts.from
    this.#answerable = facts.answerable
    this.hasMorePages = facts.hasMorePages
    this.offer = facts.offer
    this.expired = facts.expired
    this.lang = lang
    this.rawText = rawText
    this.#text = text
    this.word = wordsIn(text)
    this.blank = commandWord(text) === ''
    this.question = isQuestion(text)
    this.menuNumber = /^\d{1,2}$/.test(text) ? Number(text) : undefined
    this.intent = rightsIntent(text)
  }

  get answerable(): boolean {
    return (this.#answers ??= this.#answerable())
  }

  get edit(): Edit | null {
    if (this.#edit === undefined) this.#edit = parseEdit(this.#text)
    return this.#edit
  }

  get extracted(): ExtractedFields {
    return (this.#extracted ??= extractFields(this.#text))
  }

  get reading(): Readings {
    return (this.#reading ??= readingsOf(this.#text, this.rawText))
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
