import { z } from 'zod'
import { stemPhrase, type Token } from './tokenize.js'

/**
 * Situation cues (data/lexicon.json "cues"): people describe what happened to them rather than name the
 * policy's topic. "我两年没登录了你们还留着我资料吗" asks about retention without saying 保存期限; "sent a
 * request 3 weeks ago and crickets" asks how soon requests are answered; "got a scam call right after
 * buying" suspects a leak. A cue lists groups of words; when every group has a word in the question,
 * the cue's concept counts as named, with extra weight, because the situation says what is asked.
 */
export const cueSchema = z.object({
  id: z.string().min(1),
  concept: z.string().min(1),
  /** Multiplies the concept's weight in ranking (default 2): the situation outweighs the words it is told with. */
  weight: z.number().positive().optional(),
  /** Groups of Chinese or English words; one word of each group must occur. */
  when: z.array(z.array(z.string().min(1)).min(1)).min(1),
})

export type CueData = z.input<typeof cueSchema>

/** One group of a cue: Chinese words found as substrings, English phrases as stem sequences. */
interface CueGroup {
  readonly zh: readonly string[]
  readonly en: readonly (readonly string[])[]
}

export interface CompiledCue {
  readonly id: string
  readonly concept: number
  readonly weight: number
  readonly groups: readonly CueGroup[]
}

const HAN = /\p{Script=Han}/u
const DEFAULT_CUE_WEIGHT = 2

/** Compiles cues against the lexicon's concept ids; an unknown concept id is an error in the file. */
export function compileCues(cues: readonly z.output<typeof cueSchema>[], conceptIndex: ReadonlyMap<string, number>): CompiledCue[] {
  return cues.map((cue) => {
    const concept = conceptIndex.get(cue.concept)
    if (concept === undefined) throw new Error(`Invalid lexicon: cues.${cue.id}.concept "${cue.concept}" is not a concept id`)
    const groups = cue.when.map((words): CueGroup => ({
      zh: words.filter((w) => HAN.test(w)).map((w) => w.trim().toLowerCase()),
      en: words.filter((w) => !HAN.test(w)).map((w) => stemPhrase(w.toLowerCase())).filter((s) => s.length > 0),
    }))
    return { id: cue.id, concept, weight: cue.weight ?? DEFAULT_CUE_WEIGHT, groups }
  })
}

function hasPhrase(tokens: readonly Token[], phrase: readonly string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= tokens.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (tokens[i + j]!.stem !== phrase[j]) continue outer
    return true
  }
  return false
}

/** The cues a question shows: `text` lower-cased and simplified, `tokens` its English words. */
export function findCues(cues: readonly CompiledCue[], text: string, tokens: readonly Token[]): CompiledCue[] {
  return cues.filter((cue) => cue.groups.every((g) => g.zh.some((w) => text.includes(w)) || g.en.some((p) => hasPhrase(tokens, p))))
}
