import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { toSimplified } from '../../src/policy/traditional-chinese.js'
import { createPolicyStore } from '../../src/policy/store.js'
import { ROOT, shippedStore } from './eval-helpers.js'

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

describe('Chinese typing slips', () => {
  it('are read by sound as the keyword they sound like', () => {
    expect(store.explain('怎么把我的信息删出').concepts).toContain('delete')
    expect(store.answer('我的个人信细你们存在哪')?.pages[0]).toContain('Mainland China')
    expect(store.answer('我都有啥权力啊')?.pages[0]).toContain('access, copy, review, correct, delete')
    expect(store.answer('这个隐私证策改了会通知我不')?.sectionId).toBe('revisions-and-notifications')
    expect(store.answer('你们的安全措失有哪些')?.pages[0]).toContain('technical and organizational measures')
    expect(store.answer('你们会不会把我信息共想给第三放')?.sectionId).toBe('how-we-share-your-data')
  })

  it('need enough of the keyword typed as it is: a sound alone is no keyword', () => {
    // 手机 sounds like 收集 (collect) but shares no character; 杯谁 sounds like 被谁 but keeps only its second.
    expect(store.explain('我换了个新手机').concepts).not.toContain('collect')
    expect(store.answer('世界杯谁赢了')).toBeNull()
    expect(store.explain('你们产品数据处理速度快吗').concepts).not.toContain('response-time')
  })
})

describe('situation cues', () => {
  it('read time gone by and "still have my data" as a question about retention', () => {
    for (const q of ['离职前留的工作邮箱你们还存着吗', '我两年没登录了你们还留着我资料吗', 'left my old job years ago, do u still have my work email']) {
      expect(store.answer(q)?.pages[0], q).toContain('as long as is necessary')
    }
  })

  it('read no reply as a question about the response time', () => {
    for (const q of ['发了申请一直没人理', '邮件发过去半个月了没下文', 'sent my request weeks ago and crickets']) expect(store.answer(q)?.pages[0], q).toContain('15 days')
  })

  it('read a stranger knowing or a scam call as a possible leak', () => {
    for (const q of ['有陌生人知道我在你们这留的手机号', '买了你们产品后就接到诈骗电话', 'got a scam call after buying from you']) {
      expect(store.answer(q)?.pages[0], q).toContain('security incidents')
    }
  })

  it('must name concepts of the lexicon', async () => {
    const { compileLexicon } = await import('../../src/policy/lexicon.js')
    expect(() => compileLexicon({ concepts: [{ id: 'x', en: ['x'], expand: ['x'] }], cues: [{ id: 'c', concept: 'nope', when: [['a']] }] })).toThrow(/cues\.c\.concept/)
  })
})

describe("the company's other business", () => {
  it('gets no policy answer, and says so', () => {
    const company = ['你们的软件多少钱一年', '上个月买的开票找谁', '你们还招人吗', '去你们公司楼下能停车吗', '密码忘了怎么重置', 'how do i reset my password', 'is the office open on saturday', 'how much is a license for 10 users']
    for (const q of company) {
      expect(store.answer(q), q).toBeNull()
      expect(store.outOfScope(q), q).toBe('company')
    }
  })

  it('is not a reason for other fallbacks, nor for policy questions that mention a price', () => {
    for (const q of ['今天天气怎么样', 'Tell me a joke']) expect(store.outOfScope(q), q).toBeUndefined()
    expect(store.answer('数据删了以后我的折扣还有吗')?.pages[0]?.replace(/\u00a0/g, ' ')).toContain('customer benefits or discounts')
    expect(store.outOfScope('数据删了以后我的折扣还有吗')).toBeUndefined()
  })
})

describe("words of the company's other business that contain a policy keyword", () => {
  it('take their characters, so the keyword inside them is not policy talk', () => {
    // 老客户优惠 is a buyer asking for a discount, not special offers sent to them; 合同模板 a document.
    for (const q of ['老客户续费能便宜点吗 有老客户优惠没', '合同模板发一份给我']) {
      expect(store.answer(q), q).toBeNull()
      expect(store.outOfScope(q), q).toBe('company')
    }
    // A keyword longer than the company word still wins: 续费提醒 is a reminder the policy speaks of.
    expect(store.answer('续费提醒是用我留的联系方式发的吗')?.pages[0]).toContain('renewals')
  })

  it('hide a situation read inside them, but not one they are part of', () => {
    expect(store.answer('公众号菜单扫了没反应')).toBeNull()
    expect(store.answer('找你们技术支持会用到我的个人信息吗')?.pages[0]).toContain('delivering license keys')
  })
})

describe("questions about the company's other business that share a policy word", () => {
  it('are answered only when they are about personal data or privacy, or tell of the person', () => {
    for (const q of ['公众号菜单里的试用入口在哪', '你们的产品能帮我们公司做隐私合规吗', 'this official account menu is broken, who do i ask']) {
      expect(store.answer(q), q).toBeNull()
    }
    expect(store.answer('数据删了以后我的折扣还有吗')?.pages[0]?.replace(/\u00a0/g, ' ')).toContain('customer benefits or discounts')
    expect(store.answer('left my old job, do u still have my work email??')?.pages[0]).toContain('as long as')
  })
})

describe('matters the policy never mentions, and facts it leaves out', () => {
  it('get no answer however policy-like the question is', () => {
    for (const q of [
      '你们会用人脸识别吗', '会不会偷偷定位我在哪', 'do you track my location', '你们会读我手机通讯录吗', '你们客服电话多少', "what's your phone number",
      // Encryption algorithms, compensation, bankruptcy, monitoring staff, apps and hacked chat accounts.
      '你们的数据用什么加密算法', '信息泄露了能赔偿吗', '你们倒闭了我的数据归谁', '你们会监控员工上网吗', 'does the mobile app read my data', 'my wechat account got hacked, can u help',
    ]) {
      expect(store.answer(q), q).toBeNull()
    }
  })

  it('leave the policy matters next to them answered', () => {
    expect(store.answer('你们会收集我的手机号吗')?.pages[0]).toContain('phone number')
    expect(store.answer('Where are your servers located?')?.pages[0]).toContain('Mainland China')
  })
})

describe('a matter the policy never mentions', () => {
  it('gets the fallback even when the question shares other words with the policy', () => {
    for (const q of ['do u collect data from kids under 14', '你们会收集小孩的信息吗']) expect(store.answer(q), q).toBeNull()
  })

  it('is answered once a policy version mentions it', () => {
    const policyText = readFileSync(path.join(ROOT, 'data/privacy-policy.en.txt'), 'utf8').replace(
      'What data we collect',
      'Children\u00a0\n\nWe do not knowingly collect personal data from children under 14.\n\nWhat data we collect',
    )
    const lexicon = JSON.parse(readFileSync(path.join(ROOT, 'data/lexicon.json'), 'utf8')) as unknown
    const withChildren = createPolicyStore({ policyText, lexicon, cacheSize: 0 })
    expect(withChildren.answer('你们会收集小孩的信息吗')?.pages[0]).toContain('from children under 14')
  })
})
