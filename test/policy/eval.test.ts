import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { evaluate, readQuestions, ROOT, shippedStore } from './eval-helpers.js'

const store = shippedStore()
const sets: Array<{ name: string; file: string; inScope?: number; fallbacks?: number }> = [
  // The example questions that came with the policy.
  { name: 'dev', file: path.join(ROOT, 'test/policy/questions.dev.json') },
  { name: 'extra', file: path.join(ROOT, 'test/policy/questions.extra.json') },
  // Written from the policy text before looking at the lexicon, to estimate accuracy on new questions.
  { name: 'blind', file: path.join(ROOT, 'test/policy/questions.blind.json') },
  // A second blind set, written from the policy text alone with tricky off-topic questions that share its words.
  { name: 'blind2', file: path.join(ROOT, 'test/policy/questions.blind2.json') },
  // Written after tuning on blind2 and scored once before any further change.
  { name: 'blind3', file: path.join(ROOT, 'test/policy/questions.blind3.json') },
  // Written from the policy text alone in the dev set's style, covering every section; untuned 107/111 in-scope, 26/26 off-topic null.
  { name: 'blind4', file: path.join(ROOT, 'test/policy/questions.blind4.json') },
  // Written after tuning on blind4 and scored once untuned: 30/32 in-scope, 8/10 off-topic null.
  { name: 'blind5', file: path.join(ROOT, 'test/policy/questions.blind5.json') },
  // 250 ordinary off-topic messages (greetings, general knowledge, weather, maths, recipes, shopping, coding,
  // company small talk, random strings), half Chinese; before the everyday-word gate 230/250 were null.
  { name: 'offtopic', file: path.join(ROOT, 'test/policy/questions.offtopic.json') },
  // Written after the everyday-word gate, scored once untuned: 31/32 in-scope, 64/66 off-topic null.
  { name: 'offtopic2', file: path.join(ROOT, 'test/policy/questions.offtopic2.json') },
  // Written from the policy text alone in the dev set's style, every section in both languages, with typos and ordinary
  // off-topic messages; untuned 76/81 in-scope, 30/30 off-topic null.
  { name: 'blind6', file: path.join(ROOT, 'test/policy/questions.blind6.json') },
  // Written the way people message the account on a phone (their own situation, typing slips, slang, mixed
  // Chinese and English, near misses about other company matters or privacy topics the policy never mentions),
  // before the engine was changed for it; scored once untuned: 59/95 in-scope (62.1%), 23/25 near misses null.
  { name: 'colloquial-dev', file: path.join(ROOT, 'test/policy/questions.colloquial-dev.json') },
  // Forty more in the same phone style, written after tuning on colloquial-dev and scored once untuned: 24/30 in-scope, 8/10 near misses null.
  { name: 'phone-check', file: path.join(ROOT, 'test/policy/questions.phone-check.json') },
  // Forty more, written after tuning on phone-check and scored once untuned: 26/30 in-scope, 8/10 near misses null.
  { name: 'phone-check2', file: path.join(ROOT, 'test/policy/questions.phone-check2.json') },
  // Thirty more, written after tuning on phone-check2 and scored once untuned: 16/21 in-scope, 9/9 near misses null.
  { name: 'phone-check3', file: path.join(ROOT, 'test/policy/questions.phone-check3.json') },
  // Sixty more, written from the policy alone covering every section and its easily forgotten lists, before the
  // paragraph questions were expanded for them; scored once untuned: 39/48 in-scope, 11/12 near misses null.
  { name: 'phone-check4', file: path.join(ROOT, 'test/policy/questions.phone-check4.json') },
  // Ninety more in the same phone style, written from the policy alone and weighted to near misses (products,
  // prices, invoices, hiring, premises, using a product, the WeChat account, privacy matters the policy never
  // mentions); scored once untuned: 29/30 in-scope, 43/60 near misses null.
  { name: 'phone-check5', file: path.join(ROOT, 'test/policy/questions.phone-check5.json') },
  // The held-out measure of phone-style questions, written from the policy alone and never used for tuning
  // (159: 129 answerable, 30 near misses). Untuned: 80/129 in-scope (62.0%), 26/30 near misses null. Its
  // thresholds record where the engine stands (108/129, 28/30 when added), not the goal of 90%.
  { name: 'colloquial', file: path.join(ROOT, 'test/policy/questions.colloquial.json'), inScope: 0.8, fallbacks: 0.9 },
  // A second held-out phone-style set (160: 130 answerable, 30 near misses), written from the policy alone after the
  // changes above and scored once, never used for tuning: 117/130 in-scope (90.0%), 26/30 near misses null.
  // Since then 27/30 near misses null (the near-miss work on phone-check5).
  { name: 'colloquial2', file: path.join(ROOT, 'test/policy/questions.colloquial2.json'), inScope: 0.89, fallbacks: 0.89 },
  // A third held-out phone-style set (160: 120 answerable, 40 near misses), written from the policy alone after the
  // near-miss work and scored once, never used for tuning: 108/120 in-scope (90.0%), 36/40 near misses null (90.0%).
  { name: 'colloquial3', file: path.join(ROOT, 'test/policy/questions.colloquial3.json'), inScope: 0.89, fallbacks: 0.89 },
]

const pct = (n: number, d: number): string => (d === 0 ? '100.0' : ((100 * n) / d).toFixed(1))

// One untimed pass over every set first, so the timings below measure answering, not JIT warm-up.
for (const set of sets) for (const item of readQuestions(set.file)) store.answer(item.q)

describe('answer accuracy', () => {
  for (const set of sets) {
    it(`${set.name}: ≥${Math.round(100 * (set.inScope ?? 0.95))}% in-scope answered from the right section, fallbacks null`, () => {
      const questions = readQuestions(set.file)
      const r = evaluate(store, questions)
      const passes = 5
      const started = performance.now()
      for (let i = 0; i < passes; i++) for (const item of questions) store.answer(item.q)
      const perQuestionMs = (performance.now() - started) / (passes * questions.length)
      console.log(
        `${set.name}: ${r.inScopeCorrect}/${r.inScope} in-scope correct (${pct(r.inScopeCorrect, r.inScope)}%), ` +
          `${r.fallbacksCorrect}/${r.fallbacks} fallbacks, ${perQuestionMs.toFixed(3)} ms/question`,
      )
      for (const f of r.failures) console.log(`  ${f}`)
      if (r.inScope > 0) expect(r.inScopeCorrect / r.inScope).toBeGreaterThanOrEqual(set.inScope ?? 0.95)
      if (set.fallbacks === undefined) expect(r.fallbacksCorrect).toBe(r.fallbacks)
      else expect(r.fallbacksCorrect / r.fallbacks).toBeGreaterThanOrEqual(set.fallbacks)
    })
  }
})
