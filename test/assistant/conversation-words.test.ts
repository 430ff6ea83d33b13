import { describe, expect, it } from 'vitest'
import { shippedStore } from '../policy/eval-helpers.js'
import { harness, idIn } from '../support/harness.js'

/** The words people use to steer the bot (确认, 跳过, 继续, 取消, request …) are never taken as their answers. */

const ID = /PR-\d{8}-[A-Z0-9]{6}/
const convo = async (h: ReturnType<typeof harness>) => h.storage.conversations.get('wechat-oa:user-1')

describe('control words at the name prompt', () => {
  it('re-asks in Chinese instead of storing 确认, 確認, 跳过, 好, 对, 确定, 可以 or 嗯 as the name', async () => {
    const h = harness()
    await h.send('请删除我的个人信息')
    for (const word of ['确认', '確認', '跳过', '好', '对', '确定', '可以', '嗯']) {
      const reply = await h.send(word)
      expect(reply, word).toMatch(/^这看起来不像姓名。请告诉我您的姓名/)
      expect((await convo(h))?.fields.name, word).toBeUndefined()
    }
    expect(await h.send('张三')).toMatch(/联系方式/)
    expect((await convo(h))?.fields.name).toBe('张三')
  })

  it('re-asks in English for yes, ok, skip and confirm', async () => {
    const h = harness()
    await h.send('Delete my data')
    for (const word of ['yes', 'OK', 'skip', 'confirm', 'sure', 'request']) {
      expect(await h.send(word), word).toMatch(/^That doesn’t look like a name\. Please tell me your full name\./)
    }
    expect((await convo(h))?.fields.name).toBeUndefined()
  })

  it('confirms the summary with traditional 確認 as with 确认', async () => {
    const h = harness()
    await h.send('请删除我的个人信息，我叫张三，邮箱 zhang@example.com')
    expect(await h.send('跳过')).toMatch(/请确认您的申请/)
    expect(await h.send('確認')).toMatch(/申请编号：PR-/)
    expect(await h.storage.requests.list()).toHaveLength(1)
  })
})

describe('correction requests', () => {
  async function atWhatIsWrong(h: ReturnType<typeof harness>, lang: 'zh' | 'en'): Promise<void> {
    if (lang === 'zh') {
      await h.send('我要更正我的信息，我叫张三，手机 13800138000')
      expect(await h.send('跳过')).toMatch(/哪项信息需要更正/)
    } else {
      await h.send('I want to correct my data. My name is Ann Lee, email ann@example.org')
      expect(await h.send('skip')).toMatch(/Which information is wrong/)
    }
  }

  it('a bare no / 不 / 否 / 没有 is not a correct value: it is asked for again', async () => {
    const h = harness()
    await atWhatIsWrong(h, 'en')
    expect(await h.send('my job title')).toMatch(/correct value/)
    expect(await h.send('no')).toMatch(/What is the correct value\?/)
    expect((await convo(h))?.fields.details.correction).toBeUndefined()
    const zh = harness()
    await atWhatIsWrong(zh, 'zh')
    expect(await zh.send('我的职位')).toMatch(/正确的内容/)
    for (const word of ['不', '否', '没有']) {
      expect(await zh.send(word), word).toMatch(/正确的内容应当是什么/)
      expect((await convo(zh))?.fields.details.correction, word).toBeUndefined()
    }
    expect(await zh.send('产品经理')).toContain('正确内容：产品经理')
  })

  it('takes the correct value given with what is wrong, and does not ask for it again', async () => {
    const zh = harness()
    await atWhatIsWrong(zh, 'zh')
    const summary = await zh.send('应该是 13900139000')
    expect(summary).toMatch(/请确认您的申请/)
    expect(summary).toContain('正确内容：13900139000')
    expect(summary).not.toMatch(/正确的内容应当是什么/)
    const en = harness()
    await atWhatIsWrong(en, 'en')
    const enSummary = await en.send('My mobile number is wrong, it should be 13900139000')
    expect(enSummary).toMatch(/Please confirm your request/)
    expect(enSummary).toContain('To correct: My mobile number is wrong, it should be 13900139000')
    expect(enSummary).toContain('Correct value: 13900139000')
    expect(idIn(await en.send('yes'))).toMatch(ID)
    const [r] = await en.storage.requests.list()
    expect(r!.personal?.details).toEqual({ what: 'My mobile number is wrong, it should be 13900139000', correction: '13900139000' })
  })
})

describe('an invalid contact', () => {
  it('is asked for again in the conversation’s language, without a policy answer', async () => {
    // The shipped policy, which answers questions about e-mail: "my email is abc@" must not get one.
    const h = harness({ policy: shippedStore() })
    await h.send('请删除我的个人信息')
    await h.send('张三')
    for (const attempt of ['abc@', 'me at qq', 'my email is abc@', 'email abc@qq']) {
      const reply = await h.send(attempt)
      expect(reply, attempt).toBe('这不是有效的邮箱或手机号。请提供一个联系方式：邮箱或手机号。')
    }
    expect(await convo(h)).toMatchObject({ awaiting: 'contact', lang: 'zh' })
    expect(await h.send('zhang@example.com')).toMatch(/公司名称/)
  })
})

describe('after 人工 / staff', () => {
  it('a control word is not the message: the message is asked for again', async () => {
    const h = harness()
    expect(await h.send('人工')).toMatch(/留给工作人员/)
    for (const word of ['request', '申请', 'help', '确认', '好的']) {
      expect(await h.send(word), word).toMatch(/请输入您想留给工作人员的话[\s\S]*取消/)
    }
    expect(await h.storage.requests.list()).toHaveLength(0)
    expect(await h.send('我想了解你们和哪些公司合作')).toMatch(/已收到您的留言，编号 PR-/)
    const [r] = await h.storage.requests.list()
    expect(r!.personal?.details?.message).toBe('我想了解你们和哪些公司合作')
  })

  it('in English too', async () => {
    const h = harness()
    await h.send('staff')
    expect(await h.send('request')).toMatch(/^Please type your message for our staff[\s\S]*cancel/)
    expect(await h.storage.requests.list()).toHaveLength(0)
  })
})

describe('继续 / continue and 取消 / cancel', () => {
  it('继续, 繼續, continue and go on show the next page of a long answer', async () => {
    const h = harness()
    for (const word of ['继续', '繼續', 'continue', 'go on']) {
      await h.send('tell me about cookies')
      expect(await h.send(word), word).toBe('[en] What are cookies? page 2')
    }
  })

  it('inside a request, continue shows the next page when there is one, and otherwise goes back to the question', async () => {
    const h = harness()
    await h.send('Delete my data')
    expect(await h.send('do you sell my data?')).toMatch(/page 1[\s\S]*Back to your request: Please tell me your full name/)
    expect(await h.send('continue')).toMatch(/page 2[\s\S]*Back to your request/)
    expect(await h.send('continue')).toBe('Please tell me your full name.')
    expect(await h.send('继续')).toBe('Please tell me your full name.')
  })

  it('取消 / cancel with nothing in progress says there is nothing to cancel', async () => {
    const h = harness()
    expect(await h.send('取消')).toBe('目前没有需要取消的申请或留言。还有什么可以帮您？')
    expect(await h.send('cancel')).toMatch(/^There is nothing to cancel/)
    expect(await h.send('cancel')).not.toMatch(/could not find/)
  })
})
