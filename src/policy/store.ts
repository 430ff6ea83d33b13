import { LRUCache } from 'lru-cache'
import { readFileSync } from 'node:fs'
import { detectLang, type Lang } from '../lang.js'
import type { PolicyAnswer, PolicySection, PolicyStore, PolicyTopic } from './types.js'
import { composeAnswer, sectionBlocks } from './answer.js'
import { chineseTitle, compileLexicon } from './lexicon.js'
import { parsePolicy, type PolicyFill } from './parse.js'
import { analyzeQuery } from './query.js'
import { rankSections } from './rank.js'
import { passageOf, SearchIndex } from './search-index.js'

/** What the store is built from. */
export interface PolicyStoreOptions {
  /** The policy as plain text (see data/privacy-policy.en.txt). */
  readonly policyText: string
  /** The parsed contents of data/lexicon.json. */
  readonly lexicon: unknown
  /** Values for the policy's blanks (contact e-mail, dates). */
  readonly fill?: PolicyFill
  /** Recent answers remembered (default 2000); 0 turns remembering off, e.g. to measure ranking. */
  readonly cacheSize?: number
}

/** The minimum evidence for an answer: below it the question is treated as out of scope. */
const MIN_SCORE = 2.5
/** Blocks scoring at least this share of the best block are quoted first. */
const RELEVANT_SHARE = 0.55
/**
 * A runner-up section scoring at least this share of the winner is a second plausible reading of the
 * question: its best passage is quoted after the answer, under its own heading, if page 1 has room.
 */
const RUNNER_UP_SHARE = 0.85

/** A PolicyStore that also explains its decisions, for tests and tuning. */
export interface ExplainingPolicyStore extends PolicyStore {
  /** Concepts, scope decision and best section for a question, without building pages. */
  explain(question: string): { concepts: readonly string[]; inScope: boolean; sectionId?: string; score: number; strongScore: number }
}

/** Builds the store once at startup: parse, compile the lexicon, index every block. */
export function createPolicyStore(options: PolicyStoreOptions): ExplainingPolicyStore {
  const parsed = parsePolicy(options.policyText, options.fill ?? {})
  const sections: readonly PolicySection[] = parsed.sections
  const lex = compileLexicon(options.lexicon)
  const index = new SearchIndex(sections)
  const topIndexes = sections.map((s, i) => (s.parentId ? -1 : i)).filter((i) => i >= 0)
  const topics: PolicyTopic[] = topIndexes.map((si, n) => ({
    number: n + 1,
    sectionId: sections[si]!.id,
    titleEn: sections[si]!.title,
    titleZh: chineseTitle(lex, sections[si]!.title),
  }))

  const search = (question: string) => {
    const q = analyzeQuery(question, lex, index)
    const rank = q.inScope && q.groups.length ? rankSections(index, q.groups) : null
    const ok = rank !== null && rank.score >= MIN_SCORE
    return { q, rank, ok }
  }

  // The store never changes after start-up, so an answer is a pure function of (language, question).
  // People ask the same few questions over and over; remembering recent answers takes ranking off the
  // webhook's hot path. `null` (out of scope) is remembered too, as a sentinel.
  const recent = new LRUCache<string, PolicyAnswer | 'none'>({ max: Math.max(1, options.cacheSize ?? 2000) })
  const caching = (options.cacheSize ?? 2000) > 0

  function computeAnswer(question: string, lang?: Lang): PolicyAnswer | null {
    const { rank, ok } = search(question)
    if (!ok || !rank) return null
    const useLang = lang ?? detectLang(question)
    const all = sectionBlocks(sections, rank.top)
    const scores = all.map((ref) => {
      return rank.blockScores.get(passageOf(index, ref.section, ref.pos)) ?? 0
    })
    const best = Math.max(...scores)
    const chosen = new Set(scores.map((s, i) => (s > 0 && s >= RELEVANT_SHARE * best ? i : -1)).filter((i) => i >= 0))
    const second = rank.ranking[1]
    const passage = second && second.score >= RUNNER_UP_SHARE * rank.score ? index.blocks[second.block] : undefined
    const also = passage ? { section: passage.section, pos: passage.pos, count: passage.count } : undefined
    return composeAnswer(sections, rank.top, useLang, chosen, rank.score, also)
  }

  return {
    answer(question: string, lang?: Lang): PolicyAnswer | null {
      const key = `${lang ?? ''}\u0000${question}`
      const hit = recent.get(key)
      if (hit !== undefined && caching) return hit === 'none' ? null : hit
      const computed = computeAnswer(question, lang)
      // Long texts are rarely asked twice; keep the cache for real questions.
      if (caching && question.length <= 200) recent.set(key, computed ?? 'none')
      return computed
    },
    topics: () => topics,
    answerTopic(number: number, lang: Lang): PolicyAnswer | null {
      const topic = topics[number - 1]
      if (!Number.isInteger(number) || !topic) return null
      return composeAnswer(sections, topIndexes[number - 1]!, lang, null, 0)
    },
    sections: () => sections,
    explain(question: string) {
      const { q, rank, ok } = search(question)
      return {
        concepts: q.concepts,
        inScope: ok,
        sectionId: rank ? sections[rank.top]?.id : undefined,
        score: rank?.score ?? 0,
        strongScore: rank?.strongScore ?? 0,
      }
    },
  }
}

/** Reads the policy and lexicon files named in the configuration and builds the store. */
export function loadPolicyStore(config: {
  readonly policyFile: string
  readonly lexiconFile: string
  readonly policyFill?: PolicyFill
}, options: { cacheSize?: number } = {}): ExplainingPolicyStore {
  return createPolicyStore({
    policyText: readFileSync(config.policyFile, 'utf8'),
    lexicon: JSON.parse(readFileSync(config.lexiconFile, 'utf8')) as unknown,
    fill: config.policyFill ?? {},
    cacheSize: options.cacheSize,
  })
}
