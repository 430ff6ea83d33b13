import type { PolicySection } from './types.js'
import { cutChinese, englishWords, stemWord } from './tokenize.js'
import { bm25Idf, bm25Term } from './bm25.js'

/**
 * One searchable passage: a paragraph, or a list (the sentence introducing it plus its bullets), so
 * that four-word bullets do not outrank the paragraphs around them on length alone.
 */
export interface IndexedBlock {
  /** Index into the section list. */
  readonly section: number
  /** Index of the top-level section it belongs to (itself for top-level sections). */
  readonly top: number
  /** Position of the passage's first block inside its section. */
  readonly pos: number
  /** Number of blocks in the passage. */
  readonly count: number
  /** Stem sequence, stopwords kept so phrases can be found. */
  readonly stems: readonly string[]
  readonly tf: ReadonlyMap<string, number>
  readonly length: number
}

const HAN_RUN = /\p{Script=Han}+/gu

/** Stems of an English-and-Chinese text: English words stemmed, Chinese cut by jieba. */
export function textStems(text: string): string[] {
  const out = englishWords(text).map(stemWord)
  for (const run of text.match(HAN_RUN) ?? []) out.push(...cutChinese(run).map((t) => t.toLowerCase()))
  return out
}

/** [first block, block count] of each passage: bullets join the paragraph that introduces them. */
function passages(blocks: readonly string[]): [number, number][] {
  const out: [number, number][] = []
  blocks.forEach((b, i) => {
    const last = out.at(-1)
    if (last && b.startsWith('• ') && last[0] + last[1] === i) last[1]++
    else out.push([i, 1])
  })
  return out
}

/** Passage (index into blocks) holding a given block of a section. */
export function passageOf(index: SearchIndex, section: number, pos: number): number {
  return index.blocks.findIndex((b) => b.section === section && pos >= b.pos && pos < b.pos + b.count)
}

function containsPhrase(seq: readonly string[], phrase: readonly string[]): number {
  if (phrase.length === 1) return 0
  let n = 0
  outer: for (let i = 0; i + phrase.length <= seq.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (seq[i + j] !== phrase[j]) continue outer
    n++
  }
  return n
}

/**
 * A hand-written BM25 index over the blocks of a policy, with phrase look-ups (postings cached per
 * phrase) and a small title index; small enough that a query costs well under a millisecond.
 */
export class SearchIndex {
  readonly blocks: IndexedBlock[] = []
  /** Surface English words of the policy, for typo correction, mapped to their stems. */
  readonly surface = new Map<string, string>()
  readonly vocabulary = new Set<string>()
  readonly #df = new Map<string, number>()
  readonly #avgLength: number
  readonly #phraseCache = new Map<string, Map<number, number>>()
  readonly #titleStems: (readonly string[])[]
  readonly #titleDf = new Map<string, number>()

  constructor(readonly sections: readonly PolicySection[]) {
    const tops = sections.map((s, i) => (s.parentId ? sections.findIndex((p) => p.id === s.parentId) : i))
    sections.forEach((s, si) => {
      for (const [pos, count] of passages(s.blocks)) {
        const text = s.blocks.slice(pos, pos + count).join('\n')
        const stems = textStems(text)
        const tf = new Map<string, number>()
        for (const st of stems) tf.set(st, (tf.get(st) ?? 0) + 1)
        for (const st of tf.keys()) this.#df.set(st, (this.#df.get(st) ?? 0) + 1)
        this.blocks.push({ section: si, top: tops[si] ?? si, pos, count, stems, tf, length: stems.length })
        for (const w of englishWords(text)) if (w.length >= 3 && !/\d/.test(w)) this.surface.set(w, stemWord(w))
      }
    })
    for (const st of this.#df.keys()) this.vocabulary.add(st)
    this.#avgLength = this.blocks.reduce((a, b) => a + b.length, 0) / Math.max(1, this.blocks.length)
    this.#titleStems = sections.map((s) => textStems(s.title))
    for (const t of this.#titleStems) for (const st of new Set(t)) this.#titleDf.set(st, (this.#titleDf.get(st) ?? 0) + 1)
    for (const t of this.#titleStems) for (const st of t) this.vocabulary.add(st)
  }

  /** Block postings of a phrase (term frequency by block number). */
  #postings(phrase: readonly string[]): Map<number, number> {
    const key = phrase.join(' ')
    let p = this.#phraseCache.get(key)
    if (p) return p
    p = new Map()
    for (let i = 0; i < this.blocks.length; i++) {
      const b = this.blocks[i]!
      const n = phrase.length === 1 ? (b.tf.get(phrase[0]!) ?? 0) : containsPhrase(b.stems, phrase)
      if (n > 0) p.set(i, n)
    }
    if (this.#phraseCache.size < 20_000) this.#phraseCache.set(key, p)
    return p
  }

  /** Whether any block of the policy contains the phrase (of stems). */
  mentions(phrase: readonly string[]): boolean {
    return this.#postings(phrase).size > 0
  }

  /** BM25 score of one term (a phrase of stems) for every block that has it. */
  termScores(phrase: readonly string[]): Map<number, number> {
    const post = this.#postings(phrase)
    const out = new Map<number, number>()
    if (post.size === 0) return out
    const idf = bm25Idf(post.size, this.blocks.length)
    for (const [bi, tf] of post) {
      const len = this.blocks[bi]!.length
      out.set(bi, bm25Term(idf, tf, len, this.#avgLength))
    }
    return out
  }

  /** Title match of a phrase for a section: the phrase's inverse frequency among headings, or 0. */
  titleScore(section: number, phrase: readonly string[]): number {
    const t = this.#titleStems[section] ?? []
    const hit = phrase.length === 1 ? t.includes(phrase[0]!) : containsPhrase(t, phrase) > 0
    if (!hit) return 0
    const df = phrase.length === 1 ? (this.#titleDf.get(phrase[0]!) ?? 1) : 1
    return bm25Idf(df, this.#titleStems.length)
  }

  /** Whether a heading contains one of the given stems. */
  titleHas(section: number, stems: readonly string[]): boolean {
    const t = this.#titleStems[section] ?? []
    return stems.some((s) => t.includes(s))
  }
}
