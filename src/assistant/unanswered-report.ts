import type { Lang } from '../lang.js'
import type { KeptQuestion, QuestionGroup } from './unanswered.js'

/** What counts as "the same question": case, width, spacing and punctuation aside. */
const groupKey = (q: string): string =>
  q
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]+/gu, '')

/** Groups kept questions, most frequent first (then most recent). */
export function groupQuestions(questions: readonly KeptQuestion[]): QuestionGroup[] {
  const groups = new Map<string, { example: string; count: number; lastAt: string; lang: Lang }>()
  for (const item of questions) {
    const key = groupKey(item.q) || item.q
    const g = groups.get(key)
    if (!g) groups.set(key, { example: item.q, count: 1, lastAt: item.at, lang: item.lang })
    else {
      g.count++
      if (item.at >= g.lastAt) Object.assign(g, { example: item.q, lastAt: item.at })
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || (a.lastAt < b.lastAt ? 1 : -1))
}
