import type { CompiledLexicon, WordList } from './lexicon.js'
import type { SearchIndex } from './search-index.js'
import { findCues } from './cues.js'
import { closestShortWord, closestWord } from './fuzzy.js'
import { toSimplified } from './traditional-chinese.js'
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
  /**
   * What the question is made of, for matching it against the questions staff wrote for paragraphs:
   * "@concept" for each concept named ("@concept~" for a weak one, or one only everyday or guessed words named),
   * "=word" for the words that named it, and every other content word (English stems, Chinese words).
   */
  readonly features: readonly string[]
  /** The question is about the company's other business (prices, invoices, hiring, premises, using a product). */
  readonly company: boolean
  /** The question names a matter the policy never mentions, or a fact it leaves out. */
  readonly notInPolicy: boolean
  /** The question uses words of other topics (prices, weather, the product itself): the keyword gate alone decides it. */
  readonly elsewhere: boolean
}

/** Words the analysis may rely on beyond the policy and the lexicon. */
export interface QueryContext {
  /** Words of the questions staff wrote for paragraphs: people's words for policy matters, so not unknown words. */
  readonly known?: ReadonlySet<string>
}

/** Relative weight of a lexicon concept against a plain word of the question. */
const CONCEPT_BOOST = 1.5
const WEAK_WORD_WEIGHT = 0.4
/** Extra weight for a concept named by two or more different words of the question. */
const REPEAT_BOOST = 1.25
const HAN_RUN = /\p{Script=Han}+/gu

/** Whether a question (lower-cased and simplified, and its English tokens) uses a word of the list. */
export function mentions(list: WordList, lower: string, tokens: readonly Token[]): boolean {
  if (list.zh.some((w) => lower.includes(w))) return true
  if (tokens.some((t) => list.stems.has(t.stem))) return true
  return list.phrases.some((p) => tokens.some((_t, i) => p.every((s, j) => tokens[i + j]?.stem === s)))
}

/** What the scans of a question found: the concepts it names, and its other words sorted by what they say. */
class Findings {
  /** Concept → the distinct question words that named it. */
  readonly conceptHits = new Map<number, Set<string>>()
  /** Concept → the words among them that are evidence of a policy question (not everyday or guessed words). */
  readonly specificHits = new Map<number, Set<string>>()
  /**
   * Content words the policy and lexicon know nothing about ("sky", "emperor", "首都"): the more of
   * them, the likelier the question is about something else.
   */
  readonly unknownWords: string[] = []
  /** Content words known to staff questions only (or words of another topic): neither evidence nor unknown. */
  readonly otherWords: string[] = []
  /** Policy words of the question that no concept names: stem → weak? */
  readonly direct = new Map<string, boolean>()
  /** Words of another topic (prices, weather, the product). */
  offTopic = false
  /** Words of the company's other business (invoices, hiring, premises). */
  company = false
  readonly #lex: CompiledLexicon
  readonly #known: ReadonlySet<string> | undefined

  constructor(lex: CompiledLexicon, known: ReadonlySet<string> | undefined) {
    this.#lex = lex
    this.#known = known
  }

  addHit(c: number, word: string, guessed = false): void {
    const words = this.conceptHits.get(c) ?? new Set<string>()
    words.add(word)
    this.conceptHits.set(c, words)
    if (guessed || this.#lex.concepts[c]!.generic.has(word)) return
    const specific = this.specificHits.get(c) ?? new Set<string>()
    specific.add(word)
    this.specificHits.set(c, specific)
  }

  isKnown(word: string): boolean {
    return this.#known?.has(word) ?? false
  }
}

/**
 * Splits a question into lexicon concepts and plain policy words, with typo correction for English
 * (edit distance) and Chinese (pinyin), and situation cues; then decides whether it is a policy question.
 */
export function analyzeQuery(question: string, lex: CompiledLexicon, index: SearchIndex, context: QueryContext = {}): AnalyzedQuery {
  const found = new Findings(lex, context.known)
  // Traditional characters ("個人資料") are read as simplified, the lexicon's script.
  const lower = toSimplified(question.toLowerCase())
  const offTopicZh = lex.offTopicZh.filter((w) => lower.includes(w))
  found.offTopic = offTopicZh.length > 0
  const taken = scanChinese(lower, lex, index, found)

  const tokens: Token[] = englishTokens(lower).flatMap((t) => {
    const alias = lex.enAliases.get(t.word)
    return alias ? alias.map((word) => ({ word, stem: stemWord(word) })) : [t]
  })
  const productTalk = lex.productZh.some((w) => lower.includes(w)) || tokens.some((t) => lex.productStems.has(t.stem))
  // English company words count where they are not part of a policy phrase ("job title", "special
  // pricing"), like other off-topic words: they are found word by word below.
  found.company = lex.company.zh.some((w) => lower.includes(w))
  const notInPolicy = mentions(lex.notInPolicy, lower, tokens)
  if (found.company) found.offTopic = true
  scanEnglish(tokens, lex, index, found)

  const { cues, cueBoost } = situationCues(lower, tokens, taken, lex, found)
  // Questions about the product itself ("is your software secure", "最新版本") are not policy
  // questions unless they also name personal data, cookies or messages to the user, or tell of the
  // person's own situation ("买了你们产品后就接到诈骗电话").
  const productOnly = productTalk && cues.length === 0 && ![...found.conceptHits.keys()].some((c) => lex.concepts[c]!.anchor)
  const weighed = weigh(found, lex, cueBoost)
  const silent = [...found.conceptHits.keys()].some((ci) => lex.concepts[ci]!.gate && !lex.concepts[ci]!.expand.some((p) => index.mentions(p)))
  const inScope = !(productOnly || notInPolicy || silent) && isPolicyQuestion(weighed, found, cues.length, productTalk)

  const { conceptHits, specificHits, direct, otherWords, unknownWords } = found
  const concepts = [...conceptHits.keys()].map((c) => lex.concepts[c]!.id)
  const words = [...direct.keys(), ...otherWords, ...offTopicZh, ...unknownWords.map((w) => (/\p{Script=Han}/u.test(w) ? w : stemWord(w)))]
  const { strong, weak, generic, directStrong } = weighed
  return {
    groups: weighed.groups,
    concepts,
    inScope,
    unknownWords,
    evidence: { strong, weak, generic, direct: directStrong, anchored: weighed.anchored },
    features: questionFeatures(lex, conceptHits, specificHits, words),
    company: found.company || productOnly,
    // A matter the lexicon knows but this policy never mentions ("children" today): the policy is silent
    // on it, so quoting a paragraph that shares the question's other words would mislead.
    notInPolicy: notInPolicy || silent,
    elsewhere: found.offTopic || productTalk,
  }
}

/**
 * Chinese: lexicon keywords leftmost-longest over each run of Han characters (sturdier than relying
 * on jieba to cut exactly at keyword borders); what is left over is cut by jieba and looked up in the
 * policy. A keyword typed with a slip of the same sound (删出, 信细) is read as the keyword when it is
 * longer than any keyword spelt right at that place. Returns the company words that took their characters.
 */
function scanChinese(lower: string, lex: CompiledLexicon, index: SearchIndex, found: Findings): string[] {
  // Company words, longest first, for taking their characters below.
  const companyZh = lex.company.zh.filter((w) => lower.includes(w)).sort((a, b) => b.length - a.length)
  const taken: string[] = []
  for (const run of lower.match(HAN_RUN) ?? []) {
    let rest = ''
    const flushRest = (): void => {
      for (const token of rest ? cutChinese(rest) : []) {
        if (lex.zhStop.has(token) || lex.questionZh.has(token)) continue
        if (index.vocabulary.has(token)) found.direct.set(token, false)
        else if (found.isKnown(token)) found.otherWords.push(token)
        else if (!/^\d+$/.test(token)) found.unknownWords.push(token)
      }
      rest = ''
    }
    // Sound matching works on characters; a run with characters outside the BMP is matched by spelling only.
    const chars = [...run]
    const bySound = chars.length === run.length
    for (let i = 0; i < run.length; ) {
      const hit = lex.zhByChar.get(run[i]!)?.find(([w]) => run.startsWith(w, i))
      const sound = bySound && run.length - i >= 2 ? lex.zhPinyin.matchAt(chars, i) : undefined
      // A word of the company's other business longer than any keyword here ("老客户优惠", "合同模板") takes
      // its characters, as English company phrases do: the keyword inside it (优惠, 合同) is not policy talk.
      const other = companyZh.find((w) => run.startsWith(w, i))
      if (other && other.length > Math.max(hit?.[0].length ?? 0, sound?.word.length ?? 0)) {
        flushRest()
        found.otherWords.push(other)
        taken.push(other)
        i += other.length
      } else if (sound && sound.word.length > (hit?.[0].length ?? 0)) {
        flushRest()
        for (const c of sound.value) found.addHit(c, sound.word)
        i += sound.word.length
      } else if (hit) {
        flushRest()
        for (const c of hit[1]) found.addHit(c, hit[0])
        i += hit[0].length
      } else rest += run[i++]
    }
    flushRest()
  }
  // Chinese keywords that contain Latin letters (e.g. "ip地址", "删除cookie").
  for (const [w, cs] of lex.zhLatin) if (lower.includes(w)) for (const c of cs) found.addHit(c, w)
  return taken
}

/**
 * English: chat spellings of function words were replaced already ("wht r cookies"); then the longest
 * lexicon phrase, then policy words, then typo-corrected words.
 */
function scanEnglish(tokens: readonly Token[], lex: CompiledLexicon, index: SearchIndex, found: Findings): void {
  // "What do you use my email for?": a question that ends in "for" asks for a purpose, like "what for".
  if (tokens.length > 2 && tokens.at(-1)!.stem === 'for' && tokens.some((t) => t.stem === 'what')) {
    // The construction is specific where "what for" alone may be everyday.
    for (const tr of lex.en.get('what') ?? []) if (tr.stems.join(' ') === 'what for') found.addHit(tr.concept, 'what … for')
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
      found.offTopic = true
      if (lex.company.phrases.some((p) => p.join(' ') === offPhrase.join(' '))) found.company = true
      found.otherWords.push(offPhrase.join(' '))
      i += offPhrase.length
      continue
    }
    // Triggers are sorted longest first; every concept sharing the longest match counts.
    const matches = (lex.en.get(t.stem) ?? []).filter((tr) => tr.stems.every((s, j) => tokens[i + j]?.stem === s))
    const len = matches[0]?.stems.length ?? 0
    if (len > 0) {
      for (const m of matches) if (m.stems.length === len) found.addHit(m.concept, m.stems.join(' '))
      i += len
      continue
    }
    i++
    if (lex.stopStems.has(t.stem) || lex.questionStems.has(t.stem) || /^\d+$/.test(t.word)) continue
    englishWord(t, lex, index, found)
  }
}

/** One English word no lexicon phrase took: a policy word, a typo of a lexicon or policy word, or unknown. */
function englishWord(t: Token, lex: CompiledLexicon, index: SearchIndex, found: Findings): void {
  if (lex.offTopicStems.has(t.stem)) found.offTopic = true
  if (lex.company.stems.has(t.stem)) found.company = true
  // Weak words ("today", "price", "best") are policy words that say nothing about the policy.
  if (lex.weakStems.has(t.stem)) found.unknownWords.push(t.word)
  if (index.vocabulary.has(t.stem)) {
    found.direct.set(t.stem, lex.weakStems.has(t.stem))
    return
  }
  const lexWord = closestWord(t.word, lex.enWords.keys()) ?? closestShortWord(t.word, lex.enWords.keys())
  const lexStem = lexWord === undefined ? undefined : lex.enWords.get(lexWord)
  const lexTrig = lexStem === undefined ? undefined : lex.en.get(lexStem)?.find((tr) => tr.stems.length === 1)
  // A typo-corrected word is a guess ("black" → "block"): it steers ranking but is not evidence.
  if (lexTrig) {
    found.addHit(lexTrig.concept, lexTrig.stems.join(' '), true)
    return
  }
  const policyWord = closestWord(t.word, index.surface.keys())
  const s = policyWord === undefined ? undefined : index.surface.get(policyWord)
  if (s !== undefined && !lex.stopStems.has(s)) found.direct.set(s, lex.weakStems.has(s))
  else if (found.isKnown(t.stem)) found.otherWords.push(t.stem)
  else if (!lex.weakStems.has(t.stem)) found.unknownWords.push(t.word)
}

/** Situations ("两年没登录了…还留着吗", "no reply for weeks") name the concept they are about, and weigh it more. */
function situationCues(lower: string, tokens: readonly Token[], taken: readonly string[], lex: CompiledLexicon, found: Findings) {
  const cueBoost = new Map<number, number>()
  // A situation read inside a company word that took its characters is not told either ("扫了没反应" is a
  // QR code that fails, not a request unanswered), unless the word is itself part of a situation (技术支持, 售后服务).
  const inCue = (w: string): boolean => lex.cues.some((cue) => cue.groups.some((g) => g.zh.some((z) => z.includes(w))))
  const cueText = taken.filter((w) => !inCue(w)).reduce((text, w) => text.replaceAll(w, ' '), lower)
  const cues = findCues(lex.cues, cueText, tokens)
  for (const cue of cues) {
    found.addHit(cue.concept, `cue:${cue.id}`)
    cueBoost.set(cue.concept, Math.max(cueBoost.get(cue.concept) ?? 1, cue.weight))
  }
  return { cues, cueBoost }
}

/** The search groups of a question, and how much policy evidence its concepts and words carry. */
interface Weighed {
  readonly groups: QueryGroup[]
  readonly strong: number
  readonly weak: number
  readonly generic: number
  readonly directStrong: number
  /** Distinct question words behind the gating concepts, and those among them that are strong evidence. */
  readonly gateWords: ReadonlySet<string>
  readonly strongWords: ReadonlySet<string>
  /** A concept that ties the question to personal data is named outright. */
  readonly anchored: boolean
  /** … by more than a bare "数据"/"data": the product's data is not the person's. */
  readonly firmlyAnchored: boolean
}

function weigh(found: Findings, lex: CompiledLexicon, cueBoost: ReadonlyMap<number, number>): Weighed {
  const groups: QueryGroup[] = []
  let strong = 0
  let weak = 0
  let generic = 0
  // One word ("email") that names two concepts is still one piece of evidence when the question is
  // otherwise about something else.
  const strongWords = new Set<string>()
  const gateWords = new Set<string>()
  for (const [ci, words] of found.conceptHits) {
    const c = lex.concepts[ci]!
    // A matter named twice ("论坛" … "负责") is what the question is about, more than one named once.
    const repeat = words.size > 1 ? REPEAT_BOOST : 1
    const cue = cueBoost.get(ci) ?? 1
    groups.push({ terms: c.expand, weight: c.weight * CONCEPT_BOOST * repeat * cue, concept: ci, headings: c.headings, weak: c.weak })
    if (!c.gate) continue
    const specific = found.specificHits.get(ci)
    for (const w of words) {
      gateWords.add(w)
      if (!c.weak && specific?.has(w)) strongWords.add(w)
    }
    if (!specific) generic++
    else if (c.weak) weak++
    else strong++
  }
  let directStrong = 0
  for (const [stem, isWeak] of found.direct) {
    // A word already covered by a concept's expansion would count twice.
    if (groups.some((g) => g.concept !== undefined && g.terms.some((p) => p.length === 1 && p[0] === stem))) continue
    groups.push({ terms: [[stem]], weight: isWeak ? WEAK_WORD_WEIGHT : 1, headings: [], weak: isWeak })
    if (!isWeak) directStrong++
  }
  const specific = [...found.specificHits.keys()].map((c) => lex.concepts[c]!)
  const anchored = specific.some((c) => c.anchor && c.gate)
  const firmlyAnchored = specific.some((c) => c.anchor && c.gate && !c.weak)
  return { groups, strong, weak, generic, directStrong, gateWords, strongWords, anchored, firmlyAnchored }
}

/** Whether a question that names no matter the policy is silent on reads as a policy question. */
function isPolicyQuestion(w: Weighed, found: Findings, cues: number, productTalk: boolean): boolean {
  const unknown = found.unknownWords.length
  // Everyday words that also name a policy matter ("why", "how long", "中国", "电话") count only when
  // the rest of the question is policy talk too: "Why is the sky blue?" is not about purposes.
  // They also count next to a word that ties the question to personal data ("数据会传到国外吗").
  const everyday = w.generic >= 1 && (w.anchored || unknown === 0)
  // One policy word among several unknown ones ("What's the address of the Eiffel Tower?") is a
  // coincidence, not a policy question; a situation cue is not a single word.
  // A matter named by several of its words (论坛 … 帖子 … 负责) is no coincidence either.
  const lone = w.strong === 1 && w.weak === 0 && w.generic === 0 && !w.anchored && unknown >= 2 && cues === 0 && w.strongWords.size === 1
  // Without a clear policy word or a tie to personal data, the question must be nearly all policy
  // talk: "I lost my keys … what a terrible day" is not about data loss.
  const unsupported = w.strong === 0 && !w.anchored && unknown > 1
  if (lone || unsupported) return false
  if (!found.offTopic) return w.strong >= 1 || w.weak >= 2 || (w.weak >= 1 && w.directStrong >= 1) || everyday
  // Next to words of another topic a question needs two policy matters; a situation cue is made of
  // two or more words and counts twice. Next to the company's other business (invoices, menus, templates)
  // it must also be about personal data or privacy, or tell of the person's situation: "采购合同模板能发我一份吗"
  // names a purchase and a copy, yet asks for a document, not for the person's data. When the product is named
  // too, a bare data word is not enough ("你们软件能帮我们公司做数据合规吗" asks about a service).
  const matters = w.strong + w.weak + w.generic + cues
  const tied = !found.company || (productTalk ? w.firmlyAnchored : w.anchored) || cues > 0
  return w.strong >= 1 && matters >= 2 && w.strongWords.size >= 1 && (w.gateWords.size >= 2 || cues > 0) && tied
}

/**
 * What a question is made of, for matching it against staff questions. A weak concept, or one named
 * only by everyday or guessed words ("give", "located"), is no evidence alone and a weaker likeness
 * than one named outright, so it is a feature of its own ("@id~"); the words that named a concept count
 * too ("=word"), so that the same wording is closer than the same concept. Other words count as they
 * are, words of other topics included, even where a keyword took their characters (好用); a lone
 * Chinese character left over by jieba (好, 人, 下) says too little to match on.
 */
function questionFeatures(
  lex: CompiledLexicon,
  conceptHits: ReadonlyMap<number, ReadonlySet<string>>,
  specificHits: ReadonlyMap<number, ReadonlySet<string>>,
  words: readonly string[],
): string[] {
  const out = new Set<string>()
  for (const [ci, named] of conceptHits) {
    const c = lex.concepts[ci]!
    out.add(`@${c.id}${specificHits.has(ci) && !c.weak ? '' : '~'}`)
    for (const w of named) if (!w.startsWith('cue:')) out.add(`=${w}`)
  }
  for (const w of words) if (!/^\p{Script=Han}$/u.test(w)) out.add(w)
  return [...out]
}
