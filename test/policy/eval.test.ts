import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { evaluate, readQuestions, ROOT, shippedStore } from './eval-helpers.js'

const store = shippedStore()
const sets = [
  { name: 'dev-questions', file: '/work/shared/eval/dev-questions.json' },
  { name: 'questions.extra', file: path.join(ROOT, 'test/policy/questions.extra.json') },
]

describe('answer accuracy', () => {
  for (const set of sets) {
    it(`${set.name}: ≥95% in-scope answered from the right section, every fallback null`, () => {
      const r = evaluate(store, readQuestions(set.file))
      console.log(`${set.name}: ${r.inScopeCorrect}/${r.inScope} in-scope correct, ${r.fallbacksCorrect}/${r.fallbacks} fallbacks`)
      for (const f of r.failures) console.log(`  ${f}`)
      expect(r.inScopeCorrect / r.inScope).toBeGreaterThanOrEqual(0.95)
      expect(r.fallbacksCorrect).toBe(r.fallbacks)
    })
  }
})
