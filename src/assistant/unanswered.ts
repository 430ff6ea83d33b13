import type { Lang } from '../lang.js'

/**
 * Questions the policy could not answer, kept so staff can see what the lexicon misses. The port
 * masks personal data itself and never learns who asked; recording must not delay or fail a reply.
 */
export interface UnansweredRecorder {
  record(question: string, lang: Lang, at: Date): void
}

/** A question as kept for staff. */
export interface KeptQuestion {
  readonly q: string
  readonly lang: Lang
  readonly at: string
}

/** The same question asked several times, for staff deciding what the lexicon should learn next. */
export interface QuestionGroup {
  /** The wording asked most recently. */
  readonly example: string
  readonly count: number
  readonly lastAt: string
  readonly lang: Lang
}
