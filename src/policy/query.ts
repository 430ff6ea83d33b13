import type { CompiledLexicon } from './lexicon.js'
import type { SearchIndex } from './search-index.js'
import { closestShortWord, closestWord } from './fuzzy.js'
import { toSimplified } from './hant.js'
import { cutChinese, englishTokens, stemWord, type Token } from './tokenize.js'

/** Alternative search terms that count once: a concept's expansion, or one word of the question. */
export interface QueryGroup {
  readonly terms: readonly (readonly string[])[]
  readonly weight: number
  /** Concept index when the group comes from the lexicon. */
  readonly concept?: number
  /** Stems favoured in headings (concept hints). */
  readonly headings: readonly string[]
  /** True if this group alone cannot make a question in scope. */
  readonly weak: boolean
}

/** What a question asks for, and whether it looks like a policy question at all. */
export interface AnalyzedQuery {
  readonly groups: readonly QueryGroup[]
  /** Concept ids found, for logs and tests. */
  readonly concepts: readonly string[]
  readonly inScope: boolean
  /** Content words neither the policy nor the lexicon knows, for logs and tests. */
  readonly unknownWords: readonly string[]
  /** How much policy evidence the question carries, for logs and tuning. */
  readonly evidence: { readonly strong: number; readonly weak: number; readonly generic: number; readonly direct: number; readonly anchored: boolean }
}

/** Relative weight of a lexicon concept against a plain word of the question. */
const CONCEPT_BOOST = 1.5
const WEAK_WORD_WEIGHT = 0.4
/** Extra weight for a concept named by two or more different words of the question. */
const REPEAT_BOOST = 1.25
const HAN_RUN = /\p{Script=Han}+/gu

/** Splits a question into lexicon concepts and plain policy words, with typo correction for English. */
export function analyzeQuery(question: string, lex: CompiledLexicon, index: SearchIndex): AnalyzedQuery {
  // Concept → the distinct question words that named it.
  const conceptHits = new Map<number, Set<string>>()
  // Concept → the words among them that are evidence of a policy question (not everyday or guessed words).
  const specificHits = new Map<number, Set<string>>()
  const addHit = (c: number, word: string, guessed = false): void => {
    const words = conceptHits.get(c) ?? new Set<string>()
    words.add(word)
    conceptHits.set(c, words)
    if (guessed || lex.concepts[c]!.generic.has(word)) return
    const specific = specificHits.get(c) ?? new Set<string>()
    specific.add(word)
    specificHits.set(c, specific)
  }
  // Content words the policy and lexicon know nothing about ("sky", "emperor", "首都"): the more of
  // them, the likelier the question is about something else.
  const unknownWords: string[] = []
  const direct = new Map<string, boolean>() // stem → weak?
  // Traditional characters ("個人資料") are read as simplified, the lexicon's script.
  const lower = toSimplified(question.toLowerCase())
  let offTopic = lex.offTopicZh.some((w) => lower.includes(w))

  // Chinese: lexicon keywords leftmost-longest over each run of Han characters (sturdier than relying
  // on jieba to cut exactly at keyword borders); what is left over is cut by jieba and looked up in the policy.
  for (const run of lower.match(HAN_RUN) ?? []) {
    let rest = ''
    const flushRest = (): void => {
      for (const token of rest ? cutChinese(rest) : []) {
        if (lex.zhStop.has(token) || lex.questionZh.has(token)) continue
        if (index.vocabulary.has(token)) direct.set(token, false)
        else if (!/^\d+$/.test(token)) unknownWords.push(token)
      }
      rest = ''
    }
    for (let i = 0; i < run.length; ) {
      const hit = lex.zhByChar.get(run[i]!)?.find(([w]) => run.startsWith(w, i))
      if (hit) {
        flushRest()
        for (const c of hit[1]) addHit(c, hit[0])
        i += hit[0].length
      } else rest += run[i++]
    }
    flushRest()
  }
  // Chinese keywords that contain Latin letters (e.g. "ip地址", "删除cookie").
  for (const [w, cs] of lex.zhLatin) if (lower.includes(w)) for (const c of cs) addHit(c, w)

  // English: chat spellings of function words first ("wht r cookies"), then longest lexicon phrase,
  // then policy words, then typo-corrected words.
  const tokens: Token[] = englishTokens(lower).flatMap((t) => {
    const alias = lex.enAliases.get(t.word)
    return alias ? alias.map((word) => ({ word, stem: stemWord(word) })) : [t]
  })
  const productTalk = lex.productZh.some((w) => lower.includes(w)) || tokens.some((t) => lex.productStems.has(t.stem))
  // "What do you use my email for?": a question that ends in "for" asks for a purpose, like "what for".
  if (tokens.length > 2 && tokens.at(-1)!.stem === 'for' && tokens.some((t) => t.stem === 'what')) {
    for (const tr of lex.en.get('what') ?? []) if (tr.stems.join(' ') === 'what for') addHit(tr.concept, 'what for')
  }
  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i]!
    // The stemmer folds "us" into "use": "do you sell in the US" is not about using data.
    if (t.word === 'us') {
      i++
      continue
    }
    const offPhrase = lex.offTopicPhrases.find((p) => p.every((s, j) => tokens[i + j]?.stem === s))
    if (offPhrase) {
      offTopic = true
      i += offPhrase.length
      continue
    }
    // Triggers are sorted longest first; every concept sharing the longest match counts.
    const matches = (lex.en.get(t.stem) ?? []).filter((tr) => tr.stems.every((s, j) => tokens[i + j]?.stem === s))
    const len = matches[0]?.stems.length ?? 0
    if (len > 0) {
      for (const m of matches) if (m.stems.length === len) addHit(m.concept, m.stems.join(' '))
      i += len
      continue
    }
    i++
    if (lex.stopStems.has(t.stem) || lex.questionStems.has(t.stem) || /^\d+$/.test(t.word)) continue
    if (lex.offTopicStems.has(t.stem)) offTopic = true
    // Weak words ("today", "price", "best") are policy words that say nothing about the policy.
    if (lex.weakStems.has(t.stem)) unknownWords.push(t.word)
    if (index.vocabulary.has(t.stem)) {
      direct.set(t.stem, lex.weakStems.has(t.stem))
      continue
    }
    if (lex.offTopicStems.has(t.stem)) offTopic = true
    const lexWord = closestWord(t.word, lex.enWords.keys()) ?? closestShortWord(t.word, lex.enWords.keys())
    const lexStem = lexWord === undefined ? undefined : lex.enWords.get(lexWord)
    const lexTrig = lexStem === undefined ? undefined : lex.en.get(lexStem)?.find((tr) => tr.stems.length === 1)
    // A typo-corrected word is a guess ("black" → "block"): it steers ranking but is not evidence.
    if (lexTrig) {
      addHit(lexTrig.concept, lexTrig.stems.join(' '), true)
      continue
    }
    const policyWord = closestWord(t.word, index.surface.keys())
    const s = policyWord === undefined ? undefined : index.surface.get(policyWord)
    if (s !== undefined && !lex.stopStems.has(s)) direct.set(s, lex.weakStems.has(s))
    else if (!lex.weakStems.has(t.stem)) unknownWords.push(t.word)
  }

  // Questions about the product itself ("is your software secure", "最新版本") are not policy
  // questions unless they also name personal data, cookies or messages to the user.
  const productOnly = productTalk && ![...conceptHits.keys()].some((c) => lex.concepts[c]!.anchor)

  const groups: QueryGroup[] = []
  let strong = 0
  let weak = 0
  let generic = 0
  // Distinct question words behind the gating concepts: one word ("email") that names two concepts
  // is still one piece of evidence when the question is otherwise about something else.
  const strongWords = new Set<string>()
  const gateWords = new Set<string>()
  for (const [ci, words] of conceptHits) {
    const c = lex.concepts[ci]!
    // A matter named twice ("论坛" … "负责") is what the question is about, more than one named once.
    const repeat = words.size > 1 ? REPEAT_BOOST : 1
    groups.push({ terms: c.expand, weight: c.weight * CONCEPT_BOOST * repeat, concept: ci, headings: c.headings, weak: c.weak })
    if (!c.gate) continue
    const specific = specificHits.get(ci)
    for (const w of words) {
      gateWords.add(w)
      if (!c.weak && specific?.has(w)) strongWords.add(w)
    }
    if (!specific) generic++
    else if (c.weak) weak++
    else strong++
  }
  let directStrong = 0
  for (const [stem, isWeak] of direct) {
    // A word already covered by a concept's expansion would count twice.
    if (groups.some((g) => g.concept !== undefined && g.terms.some((p) => p.length === 1 && p[0] === stem))) continue
    groups.push({ terms: [[stem]], weight: isWeak ? WEAK_WORD_WEIGHT : 1, headings: [], weak: isWeak })
    if (!isWeak) directStrong++
  }
  // Words such as "price" or "weather" mean the question is about something else unless it clearly
  // names a policy matter too ("how much does deleting my data cost" still is one).
  // Everyday words that also name a policy matter ("why", "how long", "中国", "电话") count only when
  // the rest of the question is policy talk too: "Why is the sky blue?" is not about purposes.
  // They also count next to a word that ties the question to personal data ("数据会传到国外吗").
  const anchored = [...specificHits.keys()].some((c) => lex.concepts[c]!.anchor && lex.concepts[c]!.gate)
  const everyday = generic >= 1 && (anchored || unknownWords.length === 0)
  // One policy word among several unknown ones ("What's the address of the Eiffel Tower?") is a
  // coincidence, not a policy question.
  const lone = strong === 1 && weak === 0 && generic === 0 && !anchored && unknownWords.length >= 2
  // Without a clear policy word or a tie to personal data, the question must be nearly all policy
  // talk: "I lost my keys … what a terrible day" is not about data loss.
  const unsupported = strong === 0 && !anchored && unknownWords.length > 1
  const inScope = productOnly || lone || unsupported
    ? false
    : offTopic
    ? strong >= 1 && strong + weak + generic >= 2 && strongWords.size >= 1 && gateWords.size >= 2
    : strong >= 1 || weak >= 2 || (weak >= 1 && directStrong >= 1) || everyday
  return { groups, concepts: [...conceptHits.keys()].map((c) => lex.concepts[c]!.id), inScope, unknownWords, evidence: { strong, weak, generic, direct: directStrong, anchored } }
}
