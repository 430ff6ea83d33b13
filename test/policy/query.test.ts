import { describe, expect, it } from 'vitest'
import { toSimplified } from '../../src/policy/hant.js'
import { shippedStore } from './eval-helpers.js'

const store = shippedStore()

describe('traditional Chinese', () => {
  it('is read as simplified', () => {
    expect(toSimplified('你們會把我的個人資料賣給別人嗎')).toBe('你们会把我的个人资料卖给别人吗')
    expect(toSimplified('What about 隱私?')).toBe('What about 隐私?')
  })

  it('gets the same section as the simplified question', () => {
    const pairs: [string, string][] = [
      ['你們會把我的資料賣給別人嗎', '你们会把我的资料卖给别人吗'],
      ['我的個人資料存放在哪裡', '我的个人资料存放在哪里'],
      ['你們如何保護我的資料', '你们如何保护我的资料'],
    ]
    for (const [trad, simp] of pairs) {
      const a = store.answer(trad)
      expect(a, trad).not.toBeNull()
      expect(a?.sectionId).toBe(store.answer(simp)?.sectionId)
    }
  })
})

describe('questions about the product rather than personal data', () => {
  it('are out of scope unless they name personal data, cookies or messages to the user', () => {
    for (const q of ['Is your product secure against hackers?', "What's the latest version of your software?", '你们产品安全吗', '最新版本是多少', 'Can I transfer my license to another computer?']) {
      expect(store.answer(q), q).toBeNull()
    }
    expect(store.answer('Does your software collect my personal data?')?.sectionId).toBe('what-data-we-collect')
    expect(store.answer('你们产品会收集我的信息吗')?.sectionId).toBe('what-data-we-collect')
    expect(store.answer('Will you email me about product changes?')?.sectionId).toBe('how-we-use-the-data')
  })
})

describe('off-topic questions', () => {
  it('need two distinct policy words, not one word naming two matters', () => {
    expect(store.answer('Help me write an email to my boss')).toBeNull()
    expect(store.answer('How do I contact you about deleting my data?')).not.toBeNull()
  })
})

describe('chat spellings', () => {
  it('read "wht r", "u", "ur" as the words they stand for', () => {
    expect(store.answer('wht r cookies')?.sectionId).toBe('what-are-cookies')
    expect(store.answer('can i opt out of ur emails')?.sectionId).toBe('how-we-use-the-data')
    expect(store.answer('What do you use my email address for?')?.sectionId).toBe('how-we-use-the-data')
  })
})

describe('everyday words that also name a policy matter', () => {
  it('are no evidence alone when the rest of the question is about something else', () => {
    for (const q of ['Why is the sky blue?', 'How long should I boil an egg?', '中国的首都是哪里', '谁发明了电话', 'Is there a sale on Black Friday?', "What's new in the latest release?"]) {
      expect(store.answer(q), q).toBeNull()
    }
  })

  it('count next to personal data, or when the question is all policy talk', () => {
    expect(store.answer('数据会传到国外吗')?.sectionId).toBe('how-we-store-your-data')
    expect(store.answer('Why do you process my data?')).not.toBeNull()
    expect(store.answer('多久回复')).not.toBeNull()
    expect(store.answer('whats your adress')?.pages[0]).toContain('Loushanguan Road')
  })

  it('must be words of their concept', async () => {
    const { compileLexicon } = await import('../../src/policy/lexicon.js')
    expect(() => compileLexicon({ concepts: [{ id: 'x', en: ['why'], generic: ['how'], expand: ['purposes'] }] })).toThrow(/generic/)
  })
})
