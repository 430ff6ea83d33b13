import type { Lang } from '../lang.js'

/**
 * Questions the policy could not answer, kept so staff can see what the lexicon misses. The port
 * masks personal data itself and never learns who asked; recording must not delay or fail a reply.
 */
export interface UnansweredRecorder {
  record(question: string, lang: Lang, at: Date): void
}
