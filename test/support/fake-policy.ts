import type { Lang } from '../../src/lang.js'
import type { PolicyAnswer, PolicySection, PolicyStore, PolicyTopic } from '../../src/policy/types.js'

/** A tiny policy store double: answers questions about cookies, selling data and deletion, nothing else. */
export function fakePolicy(): PolicyStore {
  const topics: PolicyTopic[] = [
    { number: 1, sectionId: 'what-data-we-collect', titleEn: 'What data we collect', titleZh: '我们收集哪些数据' },
    { number: 2, sectionId: 'what-are-cookies', titleEn: 'What are cookies?', titleZh: '什么是 Cookie' },
    { number: 3, sectionId: 'how-we-share-your-data', titleEn: 'How we share your data', titleZh: '我们如何共享数据' },
    { number: 4, sectionId: 'how-we-store-your-data', titleEn: 'How we store your data', titleZh: '我们如何存储数据' },
  ]
  const sections: PolicySection[] = topics.map((t) => ({ id: t.sectionId, title: t.titleEn, blocks: [`Text of ${t.titleEn}.`] }))
  ;(sections[3]!.blocks as string[]).push(
    'You have the right to object to our processing of your personal data, subject to the limitations of applicable law.',
    'Please note that if you request deletion of your personal data, we will no longer be able to provide you with our products or services.',
  )
  const answerFor = (t: PolicyTopic, lang: Lang): PolicyAnswer => ({
    lang,
    sectionId: t.sectionId,
    sectionTitle: t.titleEn,
    score: 10,
    pages: [`[${lang}] ${t.titleEn} page 1`, `[${lang}] ${t.titleEn} page 2`],
  })
  return {
    answer: (q, lang = 'en') => {
      if (/cookie/i.test(q)) return answerFor(topics[1]!, lang)
      if (/sell|出售|卖/i.test(q)) return answerFor(topics[2]!, lang)
      if (/delet|删除/i.test(q)) return answerFor(topics[3]!, lang)
      return null
    },
    topics: () => topics,
    answerTopic: (n, lang) => {
      const t = topics.find((x) => x.number === n)
      return t ? answerFor(t, lang) : null
    },
    sections: () => sections,
  }
}
