import type { Lang } from '../lang.js'
import type { Incoming, Reply } from './types.js'

/** What every step of the pipeline sees about one incoming message. */
export interface TurnContext {
  readonly incoming: Incoming
  /** Normalised text for recognising words (see normalizeText). */
  readonly text: string
  /** The text as the person wrote it, cleaned of control characters (see cleanText): what gets stored. */
  readonly rawText: string
  readonly lang: Lang
  /** channel:userId — the key for per-user state. */
  readonly userKey: string
  readonly now: Date
}

/** One step of the pipeline: a reply ends the turn, `undefined` passes it to the next step, `null` means "say nothing". */
export type TurnHandler = (ctx: TurnContext) => Promise<Reply | null | undefined> | Reply | null | undefined

/** Policy answering, lent to the steps so a conversation can answer a question and then resume. */
export interface PolicyTools {
  answerPolicy(ctx: TurnContext): Reply
  /** The next page of the last long answer (or a "nothing more" note). */
  nextPage(ctx: TurnContext): Reply
  /** Whether a next page is waiting, so 继续 / "continue" can mean "more" only where there is more. */
  hasMore(ctx: TurnContext): boolean
}
