import { bm25Idf, bm25Term } from './bm25.js'

/**
 * The questions staff wrote for paragraphs (data/paragraph-questions.json), indexed by what they are
 * made of (concepts named and content words, see AnalyzedQuery.features). They are searched two ways,
 * like a FAQ's alternate questions:
 * - each on its own: a person's question close to one of them as a whole (the more of both questions
 *   the shared features make up, rare ones weighing more) is very likely asked about its paragraph;
 * - all of a paragraph's questions together, as a second text of the paragraph in people's words, so
 *   that "停产", "EOL" or "ping me" find the paragraph staff filed them under.
 */

/** A staff question this close (weighted Dice, 0–1) to the question counts towards its paragraph's score… */
const QUESTION_MIN = 0.3
/** … with this weight times the square of the closeness: a close match outweighs the policy's own words. */
const QUESTION_WEIGHT = 30
/** A staff question this close says the question is a policy question, whatever the keyword gate says… */
const VOUCH = 0.7
/** … or this close, for a question with words of another topic (the product, prices), near-identical only. */
const VOUCH_ELSEWHERE = 0.9
/** Weight of the BM25 score against a paragraph's staff questions taken together. */
const FIELD_WEIGHT = 2

/**
 * Whether a shared feature is a piece of evidence that two questions ask the same: not the wording of
 * a concept ("=word", its concept counts already) nor a weak or everyday concept ("@data~", "@share~").
 */
function isEvidence(feature: string): boolean {
  return !feature.startsWith('=') && !(feature.startsWith('@') && feature.endsWith('~'))
}

/**
 * A feature's share of its weight against a paragraph's questions taken together: a weak or everyday
 * concept ("@contact-details~") is often what a question mentions in passing ("what do you use my email
 * address for"), so it counts half; the wording of a concept not at all (its concept counts).
 */
function fieldShare(feature: string): number {
  if (feature.startsWith('=')) return 0
  return isEvidence(feature) ? 1 : 0.5
}

/** How close a question is to one staff question. */
export interface QuestionMatch {
  /** Weighted Dice of their features, 0–1. */
  readonly closeness: number
  /** Concepts and words they share that are evidence (see isEvidence). */
  readonly shared: number
}

/** What the staff questions say about a question. */
export interface QuestionEvidence {
  /** Extra score by passage (index into SearchIndex.blocks). */
  readonly extra: ReadonlyMap<number, number>
  /** A staff question is close enough to count the question in scope. */
  readonly vouched: boolean
}

export class QuestionIndex {
  /** Content words of the staff questions (not concepts): people's words for policy matters, so never "unknown". */
  readonly known = new Set<string>()
  readonly #questions: string[] = []
  /** By staff question: its passage and the sum of its features' weights. */
  readonly #passages: Int32Array
  readonly #weights: Float64Array
  /** By feature: the staff questions that have it, once per occurrence. */
  readonly #postings = new Map<string, number[]>()
  readonly #idf = new Map<string, number>()
  /** Weight of a feature no staff question has. */
  readonly #unseenIdf: number
  /** By feature: its BM25 score against each passage's staff questions taken together (a query's features only add these up). */
  readonly #fieldPostings = new Map<string, { readonly passage: number; readonly score: number }[]>()
  /** Scratch sums by staff question, reused by every query (answering is synchronous). */
  readonly #sumWeight: Float64Array
  readonly #sumShared: Int32Array

  /** `entries`: the analysed staff questions, each with the passage (index into SearchIndex.blocks) it belongs to. */
  constructor(entries: readonly { readonly passage: number; readonly question: string; readonly features: readonly string[] }[]) {
    const df = new Map<string, number>()
    const kept = entries.filter((e) => e.features.length > 0)
    const fields = new Map<number, { readonly tf: Map<string, number>; length: number }>()
    kept.forEach((e, doc) => {
      this.#questions.push(e.question)
      const field = fields.get(e.passage) ?? { tf: new Map<string, number>(), length: 0 }
      for (const f of e.features) {
        df.set(f, (df.get(f) ?? 0) + 1)
        const list = this.#postings.get(f) ?? []
        list.push(doc)
        this.#postings.set(f, list)
        if (!/^[@=]/.test(f)) this.known.add(f)
        field.tf.set(f, (field.tf.get(f) ?? 0) + 1)
        field.length++
      }
      fields.set(e.passage, field)
    })
    const n = Math.max(1, kept.length)
    for (const [f, d] of df) this.#idf.set(f, Math.log(1 + n / d))
    this.#unseenIdf = Math.log(1 + n)
    this.#passages = Int32Array.from(kept, (e) => e.passage)
    this.#weights = Float64Array.from(kept, (e) => e.features.reduce((a, f) => a + this.#weightOf(f), 0))
    this.#sumWeight = new Float64Array(kept.length)
    this.#sumShared = new Int32Array(kept.length)

    const fieldDf = new Map<string, number>()
    let total = 0
    for (const field of fields.values()) {
      total += field.length
      for (const f of field.tf.keys()) fieldDf.set(f, (fieldDf.get(f) ?? 0) + 1)
    }
    const avg = total / Math.max(1, fields.size)
    for (const [f, d] of fieldDf) {
      if (fieldShare(f) === 0) continue
      const idf = bm25Idf(d, fields.size) * fieldShare(f)
      const list: { passage: number; score: number }[] = []
      for (const [passage, field] of fields) {
        const tf = field.tf.get(f)
        if (tf) list.push({ passage, score: bm25Term(idf, tf, field.length, avg) })
      }
      this.#fieldPostings.set(f, list)
    }
  }

  get size(): number {
    return this.#questions.length
  }

  #weightOf(feature: string): number {
    return this.#idf.get(feature) ?? this.#unseenIdf
  }

  /**
   * Extra score by passage — the nearest staff question's closeness (when they share two pieces of
   * evidence: one shared word or concept is what keyword ranking weighs already, and "about this
   * policy" in a question about contacting us is no reason to answer "what is this policy about" with
   * it) plus BM25 against all its staff questions — and whether a staff question vouches for the
   * question. `elsewhere`: the question has words of another topic (see AnalyzedQuery.elsewhere).
   */
  evidence(features: readonly string[], elsewhere: boolean): QuestionEvidence {
    const extra = new Map<number, number>()
    let vouched = false
    for (const [passage, m] of this.match(features)) {
      if (m.shared < 2 || m.closeness < QUESTION_MIN) continue
      extra.set(passage, QUESTION_WEIGHT * m.closeness ** 2)
      if (m.closeness >= (elsewhere ? VOUCH_ELSEWHERE : VOUCH)) vouched = true
    }
    for (const [passage, score] of this.#fieldScores(features)) extra.set(passage, (extra.get(passage) ?? 0) + FIELD_WEIGHT * score)
    return { extra, vouched }
  }

  /** BM25 of the question's features (a concept's wording aside) against each passage's staff questions together. */
  #fieldScores(features: readonly string[]): Map<number, number> {
    const out = new Map<number, number>()
    for (const f of features) {
      for (const { passage, score } of this.#fieldPostings.get(f) ?? []) out.set(passage, (out.get(passage) ?? 0) + score)
    }
    return out
  }

  /** The nearest staff question of each passage that shares anything with the question. */
  match(features: readonly string[]): Map<number, QuestionMatch> {
    const out = new Map<number, QuestionMatch>()
    this.#eachCloseness(features, (doc, closeness, shared) => {
      const passage = this.#passages[doc]!
      if (closeness > (out.get(passage)?.closeness ?? 0)) out.set(passage, { closeness, shared })
    })
    return out
  }

  /** The nearest staff question and its closeness, for explaining a decision. */
  nearest(features: readonly string[]): { question: string; closeness: number } | undefined {
    let best: { question: string; closeness: number } | undefined
    this.#eachCloseness(features, (doc, closeness) => {
      if (!best || closeness > best.closeness) best = { question: this.#questions[doc]!, closeness }
    })
    return best
  }

  /** Calls `visit` with the closeness to each staff question that shares anything with the question. */
  #eachCloseness(features: readonly string[], visit: (doc: number, closeness: number, shared: number) => void): void {
    if (this.#questions.length === 0 || features.length === 0) return
    const sumWeight = this.#sumWeight
    const sumShared = this.#sumShared
    const touched: number[] = []
    let own = 0
    for (const f of features) {
      const w = this.#weightOf(f)
      const evidence = isEvidence(f) ? 1 : 0
      own += w
      for (const doc of this.#postings.get(f) ?? []) {
        if (sumWeight[doc] === 0 && sumShared[doc] === 0) touched.push(doc)
        sumWeight[doc]! += w
        sumShared[doc]! += evidence
      }
    }
    for (const doc of touched) {
      const closeness = (2 * sumWeight[doc]!) / (own + this.#weights[doc]!)
      const shared = sumShared[doc]!
      sumWeight[doc] = 0
      sumShared[doc] = 0
      visit(doc, closeness, shared)
    }
  }
}
