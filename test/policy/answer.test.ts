import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { paginate, PAGE_TEXT, splitToFit } from '../../src/policy/pages.js'
import { parsePolicy } from '../../src/policy/parse.js'
import { createPolicyStore, loadPolicyStore } from '../../src/policy/store.js'
import type { PolicyAnswer } from '../../src/policy/types.js'
import { MAX_REPLY_BYTES, utf8Bytes as bytes } from '../../src/reply-size.js'
import { ROOT, shippedStore } from './eval-helpers.js'

const policyText = readFileSync(path.join(ROOT, 'data/privacy-policy.en.txt'), 'utf8')
const lexicon = JSON.parse(readFileSync(path.join(ROOT, 'data/lexicon.json'), 'utf8')) as unknown
const store = shippedStore()

/** Lines we write ourselves: lead-ins, "continued" lines, hints and the rest-of-section marker. */
function isFrame(line: string): boolean {
  const all = [PAGE_TEXT.zh, PAGE_TEXT.en]
  return (
    all.some((t) => line === t.more || line === t.rest) ||
    /^根据我们的隐私政策「.*」部分（原文）：$|^「.*」部分（续）：$|^From our privacy policy, “.*”:$|^“.*” \(continued\):$/.test(line) ||
    /^另见「.*」部分：$|^See also “.*”:$|^（「.*」部分其余内容）$|^\(Rest of “.*”\)$/.test(line)
  )
}

/** Every quoted line must be policy text: a substring of the (filled) policy, bullets and all. */
function expectExactQuotes(answer: PolicyAnswer, source: string): void {
  for (const page of answer.pages) {
    for (const line of page.split('\n')) {
      if (!line.trim() || isFrame(line)) continue
      expect(source, `quoted line: ${line}`).toContain(line.replace(/^• /, ''))
    }
  }
}

const filledSource = (): string => {
  // The one rewritten sentence is the policy's own after filling; compare against the parsed text too.
  const parsed = parsePolicy(policyText, {})
  return policyText + '\n' + parsed.sections.flatMap((s) => s.blocks).join('\n')
}

describe('answer()', () => {
  it('answers in the language of the question', () => {
    const zh = store.answer('你们的数据安全措施有哪些')!
    expect(zh.lang).toBe('zh')
    expect(zh.pages[0]).toMatch(/^根据我们的隐私政策「How we protect your data」部分（原文）：/)
    const en = store.answer('What security measures are in place?')!
    expect(en.lang).toBe('en')
    expect(en.pages[0]).toMatch(/^From our privacy policy, “How we protect your data”:/)
    expect(store.answer('What security measures are in place?', 'zh')!.lang).toBe('zh')
  })

  it('puts the most relevant block first', () => {
    const a = store.answer('What happens if I ask you to delete my data?')!
    expect(a.sectionId).toBe('how-we-store-your-data')
    const body = a.pages[0]!.split('\n\n').slice(1)
    expect(body[0]).toMatch(/request(s)? (its )?deletion/)
  })

  it('quotes sub-headings as context', () => {
    const a = store.answer('Which personal details do you ask for during a trial?')!
    expect(a.pages[0]).toContain('During evaluation\n\nWhen you engage with us for product evaluations')
  })

  it('quotes only policy text, on pages of at most 2048 bytes', () => {
    const source = filledSource()
    const questions = ['你们会和第三方共享我的数据吗', 'Who do you share my data with?', '我有哪些权利', 'Can I block cookies?', '你们会收集哪些数据']
    for (const q of questions) {
      const a = store.answer(q)!
      for (const p of a.pages) expect(bytes(p)).toBeLessThanOrEqual(MAX_REPLY_BYTES)
      expectExactQuotes(a, source)
    }
  })

  it('quotes a close runner-up section after the answer, under its own heading, on the first page', () => {
    const source = filledSource()
    // The policy's words alone, so the two readings stay close whatever staff questions are filed.
    const store = createPolicyStore({ policyText, lexicon, cacheSize: 0 })
    const a = store.answer('Are your service providers bound to protect my data?')!
    expect(a.pages[0]).toContain('contractually obligated')
    expect(a.pages[0]).toMatch(/See also “How we (share|protect) your data”:/)
    expect(bytes(a.pages[0]!)).toBeLessThanOrEqual(MAX_REPLY_BYTES)
    expectExactQuotes(a, source)
    const zh = store.answer('Do you transfer my data abroad?', 'zh')!
    expect(zh.pages[0]).toContain('Mainland China')
    expect(zh.pages[0]).toMatch(/另见「How we (share|store) your data」部分：/)
    expectExactQuotes(zh, source)
    // A clear winner is quoted alone.
    expect(store.answer('What is your zip code?')!.pages[0]).not.toMatch(/See also/)
  })

  it('returns null for out-of-scope questions', () => {
    for (const q of ['What time is it in Beijing?', '推荐一部电影', 'qwerty', '', '   ', '你好吗', 'tell me a joke']) expect(store.answer(q)).toBeNull()
    // Everyday questions whose words brush against policy words ("who is", 最新, "days", "phone", "lose").
    for (const q of ['who is Jay Chou', 'Who is the president of the United States?', '最新新闻', '周杰伦最新的歌', 'what day is it today', 'best phone 2024', 'how to lose weight', "what's the latest news"]) {
      expect(store.answer(q), q).toBeNull()
    }
  })
})

describe('a sentence that points to another section', () => {
  it('answers contact questions with the registered address as well, without a configured e-mail', () => {
    const source = filledSource()
    for (const q of ['what is your email address', '你们的邮箱是多少', '怎么联系你们', 'How can I contact you?']) {
      const a = store.answer(q)!
      const page = a.pages[0]!
      expect(page, q).toContain('specified above in the Contact us section')
      expect(page, q).toMatch(/(See also “Contact us”:|另见「Contact us」部分：)\n\nJiku Technology \(Shanghai\) Co\., Ltd\.\n\nRoom 7-1788, No\. 500 Loushanguan Road, Changning District, Shanghai, China\nZip Code: 200051/)
      expect(bytes(page)).toBeLessThanOrEqual(MAX_REPLY_BYTES)
      expectExactQuotes(a, source)
    }
  })

  it('quotes whatever the referenced section says: nothing about it is written in code', () => {
    const moved = policyText.replace('Room 7-1788, No. 500 Loushanguan Road, Changning District, Shanghai, China', '88 Example Avenue, Hangzhou')
    const s = createPolicyStore({ policyText: moved, lexicon, cacheSize: 0 })
    const page = s.answer('what is your email address')!.pages[0]!
    expect(page).toContain('88 Example Avenue, Hangzhou')
    expect(page).not.toContain('Loushanguan')
  })
})

describe('topics() and answerTopic()', () => {
  it('numbers the top-level sections with Chinese titles', () => {
    const topics = store.topics()
    expect(topics).toHaveLength(15)
    expect(topics[0]).toMatchObject({ number: 1, titleEn: 'Introduction', titleZh: '引言' })
    expect(topics.find((t) => t.titleEn === 'What data we collect')!.titleZh).toBe('我们收集哪些数据')
    expect(topics.find((t) => t.titleEn === 'How we use cookies')!.titleZh).toBe('我们如何使用Cookie')
    expect(topics.find((t) => t.titleEn === 'Contact us')!.titleZh).toBe('联系我们')
    expect(new Set(topics.map((t) => t.titleZh)).size).toBe(topics.length)
    expect(topics.every((t, i) => t.number === i + 1 && t.titleZh.length > 0)).toBe(true)
  })

  it('quotes a whole section in document order, every page within the limit', () => {
    const source = filledSource()
    for (const t of store.topics()) {
      for (const lang of ['zh', 'en'] as const) {
        const a = store.answerTopic(t.number, lang)!
        expect(a.sectionId).toBe(t.sectionId)
        for (const p of a.pages) expect(bytes(p)).toBeLessThanOrEqual(MAX_REPLY_BYTES)
        a.pages.slice(0, -1).forEach((p) => expect(p.endsWith(lang === 'zh' ? '回复“更多”查看其余内容。' : 'Reply “more” for the rest.')).toBe(true))
        expect(a.pages.at(-1)!.endsWith(PAGE_TEXT[lang].more)).toBe(false)
        expectExactQuotes(a, source)
      }
    }
    expect(store.answerTopic(0, 'en')).toBeNull()
    expect(store.answerTopic(99, 'zh')).toBeNull()
    expect(store.answerTopic(1.5, 'zh')).toBeNull()
  })
})

describe('pagination', () => {
  const long = Array.from({ length: 30 }, (_, i) => `• Sentence number ${i} of a long list, with enough words to take up room; it ends here.`)
  const bigPolicy = ['Big Policy', '', 'Long section\u00a0', '', 'We list:', '', ...long.map((l) => `  ${l}`), '', 'Contact us\u00a0', '', 'Write to us.'].join('\n')

  it('splits a long section over pages with the hint on every page but the last', () => {
    const s = createPolicyStore({ policyText: bigPolicy, lexicon })
    const a = s.answerTopic(1, 'zh')!
    expect(a.pages.length).toBeGreaterThan(1)
    a.pages.forEach((p, i) => {
      expect(bytes(p)).toBeLessThanOrEqual(MAX_REPLY_BYTES)
      expect(p.endsWith('回复“更多”查看其余内容。')).toBe(i < a.pages.length - 1)
    })
    expect(a.pages[1]).toMatch(/^「Long section」部分（续）：/)
    const all = a.pages.join('\n')
    for (const l of long) expect(all).toContain(l)
  })

  it('splits one overlong paragraph at sentence ends', () => {
    const sentence = '这是一句很长的中文句子，用来测试分页。'
    const para = Array.from({ length: 200 }, () => sentence).join('')
    const pages = paginate('zh', 'T', [[para]])
    expect(pages.length).toBeGreaterThan(1)
    for (const p of pages) expect(bytes(p)).toBeLessThanOrEqual(MAX_REPLY_BYTES)
    const english = Array.from({ length: 100 }, (_, i) => `Sentence ${i} is here.`).join(' ')
    const parts = splitToFit(english, 500)
    expect(parts.every((p) => bytes(p) <= 500 && /\.$/.test(p))).toBe(true)
    expect(parts.join(' ')).toBe(english)
  })
})

describe('list layout', () => {
  it('puts consecutive bullets on consecutive lines, with blank lines around the list', () => {
    const page = store.answer('How do I block cookies?')!.pages[0]!
    expect(page).toContain('you can choose to:\n\n• Accept all cookies\n• Be notified each time a cookie is sent\n• Refuse all cookies')
    expect(page).toMatch(/already been stored\n\nPlease note/)
  })
})

describe('answer cache', () => {
  it('gives the same answer for a repeated question, per language, and remembers out-of-scope too', () => {
    const cached = loadPolicyStore({ policyFile: path.join(ROOT, 'data/privacy-policy.en.txt'), lexiconFile: path.join(ROOT, 'data/lexicon.json') })
    const q = 'Do you sell my data?'
    const first = cached.answer(q)
    expect(cached.answer(q)).toEqual(first)
    expect(cached.answer(q, 'zh')?.pages[0]).toMatch(/^根据/)
    expect(cached.answer(q, 'en')?.pages[0]).not.toMatch(/^根据/)
    expect(cached.answer('What time is it in Beijing?')).toBeNull()
    expect(cached.answer('What time is it in Beijing?')).toBeNull()
  })
})

describe('focused answers', () => {
  /** Quoted passages on a page: parts between blank lines that are not our own lines or sub-headings. */
  const quotedParts = (page: string, a: PolicyAnswer): string[] =>
    page.split('\n\n').filter((p) => !isFrame(p) && !store.sections().some((s) => s.title === p) && p !== a.sectionTitle)

  it('lead with the paragraph that answers, add at most one more, and keep the rest behind more', () => {
    const a = store.answer('How long do you keep my data?')!
    const [lead, ...others] = quotedParts(a.pages[0]!, a)
    expect(lead).toContain('as long as is necessary')
    expect(others.length).toBeLessThanOrEqual(1)
    expect(a.pages[0]).not.toContain('(Rest of')
    expect(a.pages[1]).toMatch(/^“How we store your data” \(continued\):\n\n\(Rest of (this section|“How we store your data”)\)/)
    const all = a.pages.join('\n\n')
    for (const block of store.sections().find((s) => s.id === 'how-we-store-your-data')!.blocks) expect(all).toContain(block.replace(/^• /, ''))
  })

  it('bring what an introduction introduces, and the sentence that introduces a list', () => {
    const a = store.answer('what kind of personal info do you hold on me')!
    expect(a.pages[0]).toContain('We may collect your information through the following channels:')
    expect(a.pages[0]).toMatch(/full name, email address|IP address|company name, company address/)
    const cookies = store.answer('Can I block cookies?')!
    expect(cookies.pages[0]).toContain('you can choose to:\n\n• Accept all cookies')
  })

  it('quote a whole section for a topic picked from the menu, as before', () => {
    const topic = store.topics().find((t) => t.sectionId === 'how-we-store-your-data')!
    expect(store.answerTopic(topic.number, 'en')!.pages[0]).toMatch(/^From our privacy policy, “How we store your data”:\n\nUser information collected within Mainland China/)
  })
})
