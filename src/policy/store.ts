import { LRUCache } from 'lru-cache'
import { existsSync, readFileSync } from 'node:fs'
import { detectLang, type Lang } from '../lang.js'
import type { OutOfScopeReason, PolicyAnswer, PolicySection, PolicyStore, PolicyTopic } from './types.js'
import { composeAnswer, sectionBlocks } from './answer.js'
import { chineseTitle, compileLexicon } from './lexicon.js'
import { parsePolicy, type PolicyFill } from './parse.js'
import { attachQuestions } from './paragraph-questions.js'
import { QuestionIndex } from './question-index.js'
import { analyzeQuery, type AnalyzedQuery } from './query.js'
import { rankSections, type RankResult } from './rank.js'
import { passageOf, SearchIndex } from './search-index.js'

/** What the store is built from. */
export interface PolicyStoreOptions {
  /** The policy as plain text (see data/privacy-policy.en.txt). */
  readonly policyText: string
  /** The parsed contents of data/lexicon.json. */
  readonly lexicon: unknown
  /** Values for the policy's blanks (contact e-mail, dates). */
  readonly fill?: PolicyFill
  /** The parsed contents of data/paragraph-questions.json: questions each paragraph answers (none when absent). */
  readonly paragraphQuestions?: unknown
  /** Where problems in the data files that do not stop start-up are reported (default: a process warning). */
  readonly warn?: (message: string) => void
  /** Recent answers remembered (default 2000); 0 turns remembering off, e.g. to measure ranking. */
  readonly cacheSize?: number
}

/** The minimum evidence for an answer: below it the question is treated as out of scope. */
const MIN_SCORE = 2.5
/** A second passage of the section scoring at least this share of the best is quoted after it. */
const RELEVANT_SHARE = 0.55
/** Passages scoring at least this share of the best are near-ties, read in the policy's order. */
const TIE_SHARE = 0.85
/**
 * A runner-up section scoring at least this share of the winner is a second plausible reading of the
 * question: its best passage is quoted after the answer, under its own heading, if page 1 has room.
 */
const RUNNER_UP_SHARE = 0.85

/** What a question came to: an answer, or the reason there is none. */
type Outcome = { readonly answer: PolicyAnswer } | { readonly answer: null; readonly reason?: OutOfScopeReason }

const warnByDefault = (message: string): void => {
  process.emitWarning(message, 'PolicyDataWarning')
}

/** The built index a store answers from: parsed sections, compiled lexicon, passages and staff questions. */
export interface PolicyEngine {
  readonly sections: readonly PolicySection[]
  readonly index: SearchIndex
  readonly questions: QuestionIndex
  readonly topics: readonly PolicyTopic[]
  /** Section index of each topic, in topic order. */
  readonly topicSections: readonly number[]
  /** Reads a question: its concepts and scope, and the ranking when it is in scope. */
  search(question: string): { q: AnalyzedQuery; rank: RankResult | null; ok: boolean }
}

/** Builds the index once at startup: parse, compile the lexicon, index every block and the questions staff wrote for them. */
export function buildPolicyEngine(options: PolicyStoreOptions): PolicyEngine {
  const fill = options.fill ?? {}
  const parsed = parsePolicy(options.policyText, fill)
  const sections: readonly PolicySection[] = parsed.sections
  const lex = compileLexicon(options.lexicon)
  const index = new SearchIndex(sections)
  const attached = options.paragraphQuestions === undefined ? [] : attachQuestions(sections, options.paragraphQuestions, fill, options.warn ?? warnByDefault)
  const questions = new QuestionIndex(
    attached.flatMap((b) => {
      const passage = passageOf(index, b.section, b.pos)
      return b.questions.map((question) => ({ passage, question, features: analyzeQuery(question, lex, index).features }))
    }),
  )
  const topicSections = sections.map((s, i) => (s.parentId ? -1 : i)).filter((i) => i >= 0)
  const topics: PolicyTopic[] = topicSections.map((si, n) => ({
    number: n + 1,
    sectionId: sections[si]!.id,
    titleEn: sections[si]!.title,
    titleZh: chineseTitle(lex, sections[si]!.title),
  }))

  return {
    sections,
    index,
    questions,
    topics,
    topicSections,
    search(question) {
      const q = analyzeQuery(question, lex, index, { known: questions.known })
      // Staff questions close to this one vouch for their paragraph, and for the question being about the policy.
      const staff = questions.evidence(q.features, q.elsewhere)
      const inScope = !q.notInPolicy && (q.inScope || staff.vouched)
      const rank = inScope && (q.groups.length || staff.extra.size) ? rankSections(index, q.groups, staff.extra) : null
      const ok = rank !== null && rank.score >= MIN_SCORE
      return { q, rank, ok }
    },
  }
}

/** The policy store: answers from the engine built from the options, remembering recent answers. */
export function createPolicyStore(options: PolicyStoreOptions, engine: PolicyEngine = buildPolicyEngine(options)): Required<PolicyStore> {
  const { sections, index, topics, topicSections, search } = engine
  const cacheSize = options.cacheSize

  // The store never changes after start-up, so an answer is a pure function of (language, question).
  // People ask the same few questions over and over; remembering recent answers takes ranking off the
  // webhook's hot path. Unanswered questions are remembered too, with the reason.
  const recent = new LRUCache<string, Outcome>({ max: Math.max(1, cacheSize ?? 2000) })
  const caching = (cacheSize ?? 2000) > 0

  function compute(question: string, lang?: Lang): Outcome {
    const { q, rank, ok } = search(question)
    if (!ok || !rank) return { answer: null, reason: q.company ? 'company' : undefined }
    const useLang = lang ?? detectLang(question)
    const all = sectionBlocks(sections, rank.top)
    const passages = all.map((ref) => passageOf(index, ref.section, ref.pos))
    const scores = passages.map((p) => rank.blockScores.get(p) ?? 0)
    // The passage that answers leads; one more may follow: the section's next best passage or the
    // runner-up section's best, whichever scores higher, if it comes close enough.
    // A sentence that only introduces what follows ("… through the following channels:") answers nothing alone.
    const bareIntro = (i: number): boolean => {
      const ref = all[i]!
      const b = index.blocks[passages[i]!]!
      return b.count === 1 && /:\s*$/.test(sections[ref.section]!.blocks[ref.pos]!)
    }
    const order = scores.map((_s, i) => i).filter((i) => scores[i]! > 0).sort((a, b) => scores[b]! - scores[a]!)
    // Passages scoring nearly alike are read in the policy's order: it introduces a matter before detailing it.
    const lead = order.filter((i) => scores[i]! >= TIE_SHARE * scores[order[0]!]!).sort((a, b) => a - b)[0] ?? 0
    const next = order.find((i) => passages[i] !== passages[lead])
    const nextScore = next !== undefined && (scores[next]! >= RELEVANT_SHARE * scores[lead]! || bareIntro(lead)) ? scores[next]! : 0
    const runner = rank.ranking[1]
    const runnerScore = runner && runner.score >= RUNNER_UP_SHARE * rank.score ? runner.blockScore : 0
    // An introduction always brings the best of what it introduces, and a lead chosen by the policy's
    // order the passage that scored best.
    const inSection = nextScore > 0 && (nextScore >= runnerScore || bareIntro(lead) || nextScore > scores[lead]!)
    const chosen = inSection ? [lead, next!] : [lead]
    const passage = !inSection && runnerScore > 0 ? index.blocks[runner!.block] : undefined
    const also = passage ? { section: passage.section, pos: passage.pos, count: passage.count } : undefined
    return { answer: composeAnswer(sections, rank.top, useLang, chosen, rank.score, also) }
  }

  function outcome(question: string, lang?: Lang): Outcome {
    const key = `${lang ?? ''}\u0000${question}`
    const hit = caching ? recent.get(key) : undefined
    if (hit !== undefined) return hit
    const computed = compute(question, lang)
    // Long texts are rarely asked twice; keep the cache for real questions.
    if (caching && question.length <= 200) recent.set(key, computed)
    return computed
  }

  return {
    answer: (question: string, lang?: Lang): PolicyAnswer | null => outcome(question, lang).answer,
    // Asked right after answer() with the same words, so the remembered outcome serves both.
    outOfScope(question: string, lang?: Lang): OutOfScopeReason | undefined {
      const o = outcome(question, lang)
      return o.answer === null ? o.reason : undefined
    },
    topics: () => topics,
    answerTopic(number: number, lang: Lang): PolicyAnswer | null {
      const topic = topics[number - 1]
      if (!Number.isInteger(number) || !topic) return null
      return composeAnswer(sections, topicSections[number - 1]!, lang, null, 0)
    },
    sections: () => sections,
  }
}

/** Where the shipped (or configured) policy, lexicon and paragraph questions are. */
export interface PolicyFiles {
  readonly policyFile: string
  readonly lexiconFile: string
  /** data/paragraph-questions.json; without it (or if the file is missing) paragraphs are found by their own words only. */
  readonly paragraphQuestionsFile?: string
  readonly policyFill?: PolicyFill
}

/** Reads the files named in the configuration into the options a store is built from. */
export function readPolicyFiles(config: PolicyFiles, options: { cacheSize?: number; warn?: (message: string) => void } = {}): PolicyStoreOptions {
  const warn = options.warn ?? warnByDefault
  return {
    policyText: readFileSync(config.policyFile, 'utf8'),
    lexicon: JSON.parse(readFileSync(config.lexiconFile, 'utf8')) as unknown,
    paragraphQuestions: config.paragraphQuestionsFile === undefined ? undefined : readOptionalJson(config.paragraphQuestionsFile, warn),
    fill: config.policyFill ?? {},
    cacheSize: options.cacheSize,
    warn,
  }
}

/** Reads the policy, lexicon and paragraph-questions files named in the configuration and builds the store. */
export function loadPolicyStore(config: PolicyFiles, options: { cacheSize?: number; warn?: (message: string) => void } = {}): Required<PolicyStore> {
  return createPolicyStore(readPolicyFiles(config, options))
}

/** A data file that may not exist yet: missing is a warning, unreadable or invalid JSON an error. */
function readOptionalJson(file: string, warn: (message: string) => void): unknown {
  if (!existsSync(file)) {
    warn(`paragraph questions: ${file} does not exist; paragraphs are found by their own words only`)
    return undefined
  }
  return JSON.parse(readFileSync(file, 'utf8')) as unknown
}
