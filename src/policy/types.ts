import type { Lang } from '../lang.js'

/** One heading of the policy with its exact text. */
export interface PolicySection {
  /** Stable slug derived from the heading, e.g. "how-we-store-your-data". */
  readonly id: string
  /** The heading exactly as the policy writes it (trailing spaces trimmed). */
  readonly title: string
  /** Id of the enclosing top-level section for sub-headings such as "When you visit our website". */
  readonly parentId?: string
  /** Paragraphs and bullet items in order, exact policy wording; bullets start with "• ". */
  readonly blocks: readonly string[]
}

/** A numbered entry of the topic menu. */
export interface PolicyTopic {
  readonly number: number
  readonly sectionId: string
  readonly titleEn: string
  readonly titleZh: string
}

export interface PolicyAnswer {
  readonly lang: Lang
  readonly sectionId: string
  readonly sectionTitle: string
  /** Relevance of the match (engine-specific scale); for logs and tests. */
  readonly score: number
  /**
   * Complete replies, each at most MAX_REPLY_BYTES (reply-size.ts) of UTF-8: the lead-in, the section title and the
   * most relevant quoted text first; every page but the last ends with a hint to reply 更多 / "more".
   */
  readonly pages: readonly string[]
}

/**
 * Why a question got no answer, when the person can be sent somewhere better: 'company' — it is about
 * the company's other business (products, prices, invoices, hiring, premises, using a product), which staff answer.
 */
export type OutOfScopeReason = 'company'

export interface PolicyStore {
  /** Best answer for a free-text question, or null when the question is out of scope or the match is weak. */
  answer(question: string, lang?: Lang): PolicyAnswer | null
  /** For a question answer() leaves unanswered: why, if the person can be sent elsewhere; otherwise undefined. */
  outOfScope?(question: string, lang?: Lang): OutOfScopeReason | undefined
  /** The numbered topic menu (top-level sections). */
  topics(): readonly PolicyTopic[]
  /** The answer for a topic picked from the menu by its number; null if there is no such topic. */
  answerTopic(number: number, lang: Lang): PolicyAnswer | null
  /** Every parsed section, in document order. */
  sections(): readonly PolicySection[]
}
