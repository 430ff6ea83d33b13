import type { PolicyEngine } from '../../src/policy/store.js'

/** Why the engine reads a question as it does: concepts, scope, best section and the passages that scored. For tests and tuning. */
export interface Explanation {
  readonly concepts: readonly string[]
  readonly inScope: boolean
  readonly sectionId?: string
  readonly score: number
  readonly strongScore: number
  /** The nearest question staff wrote for a paragraph, and its closeness (0–1). */
  readonly nearest?: { question: string; closeness: number }
  /** What the question was matched by: concepts as "@id" and content words. */
  readonly features: readonly string[]
  /** The passages of the best section that scored, best first: their opening words and score. */
  readonly passages: readonly { text: string; score: number }[]
}

export function explain(engine: PolicyEngine, question: string): Explanation {
  const { sections, index, questions } = engine
  const { q, rank, ok } = engine.search(question)
  return {
    concepts: q.concepts,
    inScope: ok,
    sectionId: rank ? sections[rank.top]?.id : undefined,
    score: rank?.score ?? 0,
    strongScore: rank?.strongScore ?? 0,
    nearest: questions.nearest(q.features),
    features: q.features,
    passages: [...(rank?.blockScores ?? [])]
      .filter(([, score]) => score > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([b, score]) => ({ text: sections[index.blocks[b]!.section]!.blocks[index.blocks[b]!.pos]!.slice(0, 60), score })),
  }
}
