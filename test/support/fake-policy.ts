import type { Lang } from '../../src/lang.js'
import type { PolicyAnswer, PolicySection, PolicyStore, PolicyTopic } from '../../src/policy/types.js'

/** A tiny policy store double: answers questions containing "cookie" and nothing else. */
export function fakePolicy(): PolicyStore {
  const topics: PolicyTopic[] = [
    { number: 1, sectionId: 'what-data-we-collect', titleEn: 'What data we collect', titleZh: '我们收集哪些数据' },
    { number: 2, sectionId: 'what-are-cookies', titleEn: 'What are cookies?', titleZh: '什么是 Cookie' },
  ]
  const sections: PolicySection[] = topics.map((t) => ({ id: t.sectionId, title: t.titleEn, blocks: [`Text of ${t.titleEn}.`] }))
  const answerFor = (t: PolicyTopic, lang: Lang): PolicyAnswer => ({
    lang,
    sectionId: t.sectionId,
    sectionTitle: t.titleEn,
    score: 10,
    pages: [`[${lang}] ${t.titleEn} page 1`, `[${lang}] ${t.titleEn} page 2`],
  })
  return {
    answer: (q, lang = 'en') => (/cookie/i.test(q) ? answerFor(topics[1]!, lang) : null),
    topics: () => topics,
    answerTopic: (n, lang) => {
      const t = topics.find((x) => x.number === n)
      return t ? answerFor(t, lang) : null
    },
    sections: () => sections,
  }
}
