import { z } from 'zod'
import { compileCues, cueSchema, type CompiledCue } from './cues.js'
import { PinyinIndex } from './pinyin.js'
import { addChineseWords, stemPhrase, stemWord } from './tokenize.js'

const conceptSchema = z.object({
  id: z.string().min(1),
  zh: z.array(z.string()).default([]),
  en: z.array(z.string()).default([]),
  expand: z.array(z.string()).min(1),
  weak: z.boolean().optional(),
  weight: z.number().positive().optional(),
  headings: z.array(z.string()).optional(),
  gate: z.boolean().optional(),
  anchor: z.boolean().optional(),
  generic: z.array(z.string()).optional(),
})

const lexiconSchema = z.object({
  concepts: z.array(conceptSchema),
  weakWords: z.array(z.string()).default([]),
  stopwords: z.object({ en: z.array(z.string()).default([]), zh: z.array(z.string()).default([]) }).default({ en: [], zh: [] }),
  topics: z.array(z.object({ words: z.array(z.string()).min(1), zh: z.string().min(1) })).default([]),
  offTopicWords: z.object({ en: z.array(z.string()).default([]), zh: z.array(z.string()).default([]) }).default({ en: [], zh: [] }),
  productWords: z.object({ en: z.array(z.string()).default([]), zh: z.array(z.string()).default([]) }).default({ en: [], zh: [] }),
  companyWords: z.object({ en: z.array(z.string()).default([]), zh: z.array(z.string()).default([]) }).default({ en: [], zh: [] }),
  notInPolicy: z.object({ en: z.array(z.string()).default([]), zh: z.array(z.string()).default([]) }).default({ en: [], zh: [] }),
  cues: z.array(cueSchema).default([]),
  enAliases: z.record(z.string(), z.string()).default({}),
  questionWords: z.object({ en: z.array(z.string()).default([]), zh: z.array(z.string()).default([]) }).default({ en: [], zh: [] }),
})

/** Checks a parsed lexicon file; throws with the first problem found. */
export function validateLexicon(data: unknown): z.output<typeof lexiconSchema> {
  const result = lexiconSchema.safeParse(data)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new Error(`Invalid lexicon: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim())
  }
  return result.data
}

/** A concept ready for matching: English phrases as stem sequences. */
export interface CompiledConcept {
  readonly id: string
  readonly weak: boolean
  /** False for filler concepts ("what is", "where") that never count towards scope. */
  readonly gate: boolean
  /** True if the concept ties a question to personal data (needed when it talks about the product). */
  readonly anchor: boolean
  readonly weight: number
  /** Search terms: each a phrase of one or more stems. */
  readonly expand: readonly (readonly string[])[]
  /** Stems that favour a section when they appear in its heading. */
  readonly headings: readonly string[]
  /**
   * Everyday triggers ("why", "how long", "中国", "电话"): they still steer ranking, but alone they are no
   * evidence that a question is about the policy ("Why is the sky blue?").
   */
  readonly generic: ReadonlySet<string>
}

/**
 * Words of one kind: Chinese found as substrings, English as single stems or stem phrases. Not by sound:
 * these lists turn questions away, and a near sound (有人联 for 人脸) must not.
 */
export interface WordList {
  readonly zh: readonly string[]
  readonly stems: ReadonlySet<string>
  readonly phrases: readonly (readonly string[])[]
}

function wordList(words: { readonly en: readonly string[]; readonly zh: readonly string[] }): WordList {
  const en = words.en.map((w) => stemPhrase(w.toLowerCase())).filter((s) => s.length > 0)
  const zh = words.zh.map((w) => w.trim().toLowerCase()).filter(Boolean)
  return {
    zh,
    stems: new Set(en.filter((s) => s.length === 1).map((s) => s[0]!)),
    phrases: en.filter((s) => s.length > 1),
  }
}

/** An English trigger phrase of a concept, as stems. */
export interface Trigger {
  readonly stems: readonly string[]
  readonly concept: number
}

/** The lexicon compiled for fast matching; built once at startup. */
export interface CompiledLexicon {
  readonly concepts: readonly CompiledConcept[]
  /** Chinese keywords (lowercase), longest first, each with its concept indexes. */
  readonly zh: readonly (readonly [word: string, concepts: readonly number[]])[]
  /** The same keywords grouped by first character, longest first. */
  readonly zhByChar: ReadonlyMap<string, readonly (readonly [word: string, concepts: readonly number[]])[]>
  /** The same keywords by sound, for typing slips (删出 → 删除, 个人信细 → 个人信息). */
  readonly zhPinyin: PinyinIndex<readonly number[]>
  /** Chinese keywords that contain Latin letters ("ip地址", "删除cookie"), found by substring search. */
  readonly zhLatin: readonly (readonly [word: string, concepts: readonly number[]])[]
  /** English triggers grouped by their first stem, longest first. */
  readonly en: ReadonlyMap<string, readonly Trigger[]>
  /** Surface forms of single-word English triggers, for typo correction. */
  readonly enWords: ReadonlyMap<string, string>
  readonly weakStems: ReadonlySet<string>
  readonly stopStems: ReadonlySet<string>
  readonly zhStop: ReadonlySet<string>
  /** Words that mark a question as being about something else (prices, weather…), English as stems. */
  readonly offTopicStems: ReadonlySet<string>
  /** Multi-word off-topic phrases ("market cap", "sales rep") as stems; their words are not read as policy words. */
  readonly offTopicPhrases: readonly (readonly string[])[]
  readonly offTopicZh: readonly string[]
  /** Words naming the product itself ("software", "版本"), English as stems: such questions need an anchor concept. */
  readonly productStems: ReadonlySet<string>
  readonly productZh: readonly string[]
  /**
   * The company's other business: prices, invoices, hiring, premises, how to use a product. They gate a
   * question like off-topic words, and a question left unanswered because of them is sent to staff.
   */
  readonly company: WordList
  /**
   * Privacy matters the policy never mentions (face recognition, location) and facts it leaves out (a
   * phone number): a question naming one is not answered, however policy-like the rest of it is.
   */
  readonly notInPolicy: WordList
  readonly cues: readonly CompiledCue[]
  /** Chat spellings of English function words ("wht" → "what", "u" → "you"), each to one or more words. */
  readonly enAliases: ReadonlyMap<string, readonly string[]>
  readonly topics: readonly { readonly stems: readonly string[]; readonly zh: string }[]
  /** Question and filler words ("多少", "谁", "please") that are neither evidence nor a sign of another topic. */
  readonly questionStems: ReadonlySet<string>
  readonly questionZh: ReadonlySet<string>
}

/** Validates and compiles a lexicon, and teaches jieba its Chinese words. */
export function compileLexicon(data: unknown): CompiledLexicon {
  const lex = validateLexicon(data)
  const zhMap = new Map<string, number[]>()
  const en = new Map<string, Trigger[]>()
  const enWords = new Map<string, string>()
  const concepts = lex.concepts.map((c, i): CompiledConcept => {
    for (const w of c.zh) {
      const key = w.trim().toLowerCase()
      if (!key) continue
      const list = zhMap.get(key) ?? []
      if (!list.includes(i)) list.push(i)
      zhMap.set(key, list)
    }
    const triggers = [...c.en, ...c.expand]
    for (const phrase of triggers) {
      const stems = stemPhrase(phrase)
      const first = stems[0]
      if (!first) continue
      const list = en.get(first) ?? []
      if (!list.some((t) => t.concept === i && t.stems.join(' ') === stems.join(' '))) list.push({ stems, concept: i })
      en.set(first, list)
      if (stems.length === 1) enWords.set(phrase.toLowerCase(), first)
    }
    const generic = new Set<string>()
    for (const g of c.generic ?? []) {
      const key = triggerKey(g)
      const known = /\p{Script=Han}/u.test(g) ? c.zh.some((w) => w.trim().toLowerCase() === key) : triggers.some((t) => stemPhrase(t).join(' ') === key)
      if (!known) throw new Error(`Invalid lexicon: concepts.${c.id}.generic "${g}" is not one of the concept's words`)
      generic.add(key)
    }
    return {
      id: c.id,
      generic,
      weak: c.weak ?? false,
      gate: c.gate ?? true,
      anchor: c.anchor ?? false,
      weight: c.weight ?? 1,
      expand: c.expand.map(stemPhrase).filter((s) => s.length > 0),
      headings: (c.headings ?? []).map(stemWord),
    }
  })
  for (const list of en.values()) list.sort((a, b) => b.stems.length - a.stems.length)
  const zh = [...zhMap.entries()].sort((a, b) => b[0].length - a[0].length)
  addChineseWords(zh.map(([w]) => w))
  const zhByChar = new Map<string, (readonly [string, number[]])[]>()
  for (const entry of zh) {
    const first = entry[0][0]!
    zhByChar.set(first, [...(zhByChar.get(first) ?? []), entry])
  }
  const conceptIndex = new Map(concepts.map((c, i) => [c.id, i]))
  const offTopicEn = [...lex.offTopicWords.en, ...lex.companyWords.en]
  return {
    concepts,
    zh,
    zhByChar,
    zhPinyin: new PinyinIndex(zh),
    zhLatin: zh.filter(([w]) => /[a-z]/.test(w) && /\p{Script=Han}/u.test(w)),
    en,
    enWords,
    weakStems: new Set(lex.weakWords.map((w) => stemWord(w.toLowerCase()))),
    stopStems: new Set(lex.stopwords.en.map((w) => stemWord(w.toLowerCase()))),
    zhStop: new Set(lex.stopwords.zh),
    // The company's other business is off-topic too; its words are listed apart only to tell staff's matters from the rest.
    offTopicStems: new Set(offTopicEn.filter((w) => !w.includes(' ')).map((w) => stemWord(w.toLowerCase()))),
    offTopicPhrases: offTopicEn.filter((w) => w.includes(' ')).map((w) => stemPhrase(w.toLowerCase())).filter((s) => s.length > 1),
    offTopicZh: [...lex.offTopicWords.zh, ...lex.companyWords.zh].map((w) => w.toLowerCase()),
    productStems: new Set(lex.productWords.en.map((w) => stemWord(w.toLowerCase()))),
    productZh: lex.productWords.zh.map((w) => w.toLowerCase()),
    company: wordList(lex.companyWords),
    notInPolicy: wordList(lex.notInPolicy),
    cues: compileCues(lex.cues, conceptIndex),
    enAliases: new Map(Object.entries(lex.enAliases).map(([k, v]) => [k.toLowerCase(), v.toLowerCase().split(/\s+/).filter(Boolean)])),
    topics: lex.topics.map((t) => ({ stems: t.words.flatMap(headingWords), zh: t.zh })),
    questionStems: new Set(lex.questionWords.en.map((w) => stemWord(w.toLowerCase()))),
    questionZh: new Set(lex.questionWords.zh),
  }
}

/** How a concept hit is recorded: English as its stems joined by spaces, Chinese lower-cased. */
export function triggerKey(word: string): string {
  return /\p{Script=Han}/u.test(word) ? word.trim().toLowerCase() : stemPhrase(word).join(' ')
}

/**
 * Heading words for menu titles: lower-case words with a plural "s" dropped. Not stems, because the
 * stemmer folds "use" and "us" together and "Contact us" is not "How we use the data".
 */
function headingWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []).map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w))
}

/**
 * Chinese menu title for a heading: the topic rule whose words all occur in the heading, preferring
 * rules with more words; the English heading when none fits.
 */
export function chineseTitle(lex: CompiledLexicon, heading: string): string {
  const stems = new Set(headingWords(heading))
  let best: { n: number; zh: string } | undefined
  for (const t of lex.topics) {
    if (t.stems.every((s) => stems.has(s)) && (!best || t.stems.length > best.n)) best = { n: t.stems.length, zh: t.zh }
  }
  return best?.zh ?? heading
}
