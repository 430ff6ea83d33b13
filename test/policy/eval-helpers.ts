import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildPolicyEngine, createPolicyStore, readPolicyFiles, type PolicyStoreOptions } from '../../src/policy/store.js'
import type { PolicyStore } from '../../src/policy/types.js'
import { explain, type Explanation } from './explain.js'

/** One evaluation question: `expect` lists phrases one of which the first page must contain. */
export interface EvalQuestion {
  readonly q: string
  readonly expect?: readonly string[]
  readonly fallback?: boolean
}

export interface EvalResult {
  readonly inScope: number
  readonly inScopeCorrect: number
  readonly fallbacks: number
  readonly fallbacksCorrect: number
  readonly failures: readonly string[]
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * The store built from the shipped policy, lexicon and paragraph questions, without configured fills
 * and without its answer cache, so accuracy and timing measure ranking itself.
 */
export function shippedStore(): ExplainingStore {
  return explainingStore(
    readPolicyFiles(
      {
        policyFile: path.join(ROOT, 'data/privacy-policy.en.txt'),
        lexiconFile: path.join(ROOT, 'data/lexicon.json'),
        paragraphQuestionsFile: path.join(ROOT, 'data/paragraph-questions.json'),
      },
      { cacheSize: 0 },
    ),
  )
}

/** A store that can also say why it answered as it did. */
export type ExplainingStore = Required<PolicyStore> & { explain(question: string): Explanation }

export function explainingStore(options: PolicyStoreOptions): ExplainingStore {
  const engine = buildPolicyEngine(options)
  return Object.assign(createPolicyStore(options, engine), { explain: (question: string) => explain(engine, question) })
}

export function readQuestions(file: string): EvalQuestion[] {
  return JSON.parse(readFileSync(file, 'utf8')) as EvalQuestion[]
}

/** Normalises quotes so "People's" in an expectation matches the policy's "People’s". */
const norm = (s: string): string => s.replace(/[’‘]/g, "'").replace(/\u00a0/g, ' ')

/** Runs questions through the store the way the acceptance check does: phrase on the first page, or null. */
export function evaluate(store: ExplainingStore, questions: readonly EvalQuestion[]): EvalResult {
  let inScope = 0
  let inScopeCorrect = 0
  let fallbacks = 0
  let fallbacksCorrect = 0
  const failures: string[] = []
  for (const item of questions) {
    const answer = store.answer(item.q)
    const why = store.explain(item.q)
    if (item.fallback) {
      fallbacks++
      if (answer === null) fallbacksCorrect++
      else failures.push(`[should be null] ${item.q} → ${answer.sectionId} (${why.concepts.join(',')}; ${why.score.toFixed(2)}/${why.strongScore.toFixed(2)})`)
      continue
    }
    inScope++
    const page = norm(answer?.pages[0] ?? '')
    if (answer && (item.expect ?? []).some((e) => page.includes(norm(e)))) inScopeCorrect++
    else failures.push(`[wrong] ${item.q} → ${answer?.sectionId ?? 'null'} (${why.concepts.join(',')}; ${why.score.toFixed(2)}/${why.strongScore.toFixed(2)}) expected ${JSON.stringify(item.expect)}`)
  }
  return { inScope, inScopeCorrect, fallbacks, fallbacksCorrect, failures }
}
