import { describe, expect, it } from 'vitest'
import path from 'node:path'
import { PROJECT_ROOT } from '../../src/config.js'
import { loadPolicyStore } from '../../src/policy/store.js'
import { harness, idIn } from '../support/harness.js'

const shippedPolicy = loadPolicyStore({
  policyFile: path.join(PROJECT_ROOT, 'data/privacy-policy.en.txt'),
  lexiconFile: path.join(PROJECT_ROOT, 'data/lexicon.json'),
  paragraphQuestionsFile: path.join(PROJECT_ROOT, 'data/paragraph-questions.json'),
})

const ID = /PR-\d{8}-[A-Z0-9]{6}/

describe('rights requests in conversation', () => {
  it('files an English deletion request one field at a time, warning of the consequences', async () => {
    const h = harness()
    expect(await h.send('Delete my data')).toMatch(/delete your personal information[\s\S]*full name/)
    expect(await h.send('John Smith')).toMatch(/e-mail address or a mobile number/)
    expect(await h.send('john@example')).toMatch(/isn’t a valid e-mail/)
    expect(await h.send('john@example.org')).toMatch(/company/)
    const summary = await h.send('skip')
    expect(summary).toMatch(/Please confirm/)
    expect(summary).toContain('Name: John Smith')
    expect(summary).toContain('E-mail: john@example.org')
    expect(summary).toContain('we will no longer be able to provide you with our products or services')
    expect(await h.storage.requests.list()).toHaveLength(0)
    const done = await h.send('yes')
    expect(done).toMatch(ID)
    expect(done).toMatch(/verify your identity/)
    expect(done).toMatch(/15 days, counted from the day your identity is verified/)
    const [stored] = await h.storage.requests.list()
    expect(stored).toMatchObject({ id: idIn(done), kind: 'rights', type: 'delete', state: 'submitted', userId: 'user-1' })
    expect(stored!.personal).toMatchObject({ name: 'John Smith', email: 'john@example.org' })
    expect(await h.storage.conversations.get('wechat-oa:user-1')).toBeUndefined()
  })

  it('accepts several fields in one Chinese message and confirms with 确认', async () => {
    const h = harness()
    const first = await h.send('请删除我的个人信息，我叫张三，邮箱 zhang@example.com')
    expect(first).toMatch(/公司名称/)
    const summary = await h.send('跳过')
    expect(summary).toContain('姓名：张三')
    expect(summary).toContain('邮箱：zhang@example.com')
    expect(summary).toMatch(/隐私政策原文/)
    const done = await h.send('确认')
    expect(done).toMatch(/申请编号：PR-\d{8}-[A-Z0-9]{6}/)
    expect(done).toMatch(/15 天期限自核验之日起计算/)
  })

  it('answers a policy question part-way and resumes; a question is never stored as the name', async () => {
    const h = harness()
    await h.send('I want you to delete my data')
    const answer = await h.send('do you sell my data?')
    expect(answer).toContain('How we share your data page 1')
    expect(answer).toMatch(/Back to your request: Please tell me your full name/)
    expect((await h.storage.conversations.get('wechat-oa:user-1'))?.fields.name).toBeUndefined()
    expect(await h.send('Ann Lee')).toMatch(/e-mail address or a mobile number/)
    expect(await h.send('13812345678')).toMatch(/company/)
  })

  it('asks what to correct and the correct value, and lets the user fix a field before confirming', async () => {
    const h = harness()
    await h.send('I want to correct my data')
    await h.send('My name is Ann Lee, email ann@example.org')
    expect(await h.send('Acme Ltd')).toMatch(/Which information is wrong/)
    expect(await h.send('my job title')).toMatch(/correct value/)
    const summary = await h.send('Product manager')
    expect(summary).toContain('To correct: my job title')
    expect(summary).toContain('Correct value: Product manager')
    const fixed = await h.send('change email to ann.lee@example.org')
    expect(fixed).toContain('E-mail: ann.lee@example.org')
    expect(await h.send('yes')).toMatch(ID)
    const [r] = await h.storage.requests.list()
    expect(r!.personal).toMatchObject({ email: 'ann.lee@example.org', company: 'Acme Ltd', details: { what: 'my job title', correction: 'Product manager' } })
  })

  it('cancel at any step abandons it and creates nothing', async () => {
    const h = harness()
    await h.send('我要投诉')
    await h.send('李四')
    expect(await h.send('取消')).toMatch(/已取消/)
    expect(await h.storage.requests.list()).toHaveLength(0)
    expect(await h.storage.conversations.get('wechat-oa:user-1')).toBeUndefined()
  })

  it('an idle half-finished conversation expires with nothing created', async () => {
    const h = harness({ timeoutMs: 30 * 60_000 })
    await h.send('Delete my data')
    await h.send('John Smith')
    h.clock.advance(31 * 60_000)
    const reply = await h.send('john@example.org')
    expect(reply).not.toMatch(/company/)
    expect(await h.storage.conversations.get('wechat-oa:user-1')).toBeUndefined()
    expect(await h.storage.requests.list()).toHaveLength(0)
  })

  it('a question about a right is answered from the policy with an offer; "request" then starts it', async () => {
    const h = harness()
    const answer = await h.send('What happens if I ask you to delete my data?')
    expect(answer).toContain('How we store your data page 1')
    expect(answer).toMatch(/reply “request”/)
    expect(await h.storage.conversations.get('wechat-oa:user-1')).toBeUndefined()
    expect(await h.send('request')).toMatch(/delete your personal information[\s\S]*full name/)
  })

  it('talk of a request made before is a question about it, never a second request', async () => {
    for (const text of ['我提的删除申请到底啥时候能处理完', '提交删除申请半个月了都没下文', 'I asked you to delete my data two weeks ago and never heard back']) {
      const h = harness({ policy: shippedPolicy })
      const answer = await h.send(text)
      expect(answer, text).toMatch(/within 15 days/)
      expect(answer, text).toMatch(/回复“状态”|reply “status”/)
      expect(await h.storage.conversations.get('wechat-oa:user-1'), text).toBeUndefined()
    }
    expect(await harness().send('我申请删除我的账号')).toMatch(/删除个人信息[\s\S]*姓名/)
  })

  it('reads how people talk: a V-没 question asks, changing one\'s mind is not a correction', async () => {
    const h = harness({ policy: shippedPolicy })
    expect(await h.send('账号注销好几个月了，我的资料你们还留着没')).toContain('as long as is necessary')
    expect(await h.storage.conversations.get('wechat-oa:user-1')).toBeUndefined()
    expect(await h.send('changed my mind, dont want marketing emails anymore')).toMatch(/opted out of marketing/)
    expect(await h.send('I want to change my email')).toMatch(/correct your personal information/)
  })

  it('the numbered rights menu starts the chosen right', async () => {
    const h = harness()
    const menu = await h.send('申请')
    expect(menu).toMatch(/5\. 删除个人信息/)
    expect(menu).toMatch(/10\. 退订营销信息/)
    expect(await h.send('5')).toMatch(/删除个人信息[\s\S]*姓名/)
  })

  it('marketing opt-out takes effect at once and is recorded', async () => {
    const h = harness()
    const reply = await h.send('stop sending me promotions')
    expect(reply).toMatch(/opted out of marketing, effective now/)
    expect((await h.storage.preferences.get('wechat-oa:user-1'))?.marketingOptOut).toBeDefined()
    const [r] = await h.storage.requests.list()
    expect(r).toMatchObject({ type: 'marketing-opt-out', state: 'closed', personal: null, id: idIn(reply) })
    expect(await h.send('退订')).toMatch(/已为您退订/)
  })

  it('withdrawal of consent and objection say what follows', async () => {
    const h = harness()
    await h.send('撤回同意')
    await h.send('王五')
    await h.send('wang@example.com')
    await h.send('跳过')
    expect(await h.send('全部')).toMatch(/撤回同意后/)
    await h.send('取消')
    await h.send('I object to the processing of my personal data')
    await h.send('Ann Lee')
    await h.send('ann@example.org')
    await h.send('skip')
    const summary = await h.send('all')
    expect(summary).toContain('right to object')
    expect(summary).toMatch(/assess your objection/)
  })

  it('every turn is persisted, so a conversation survives a restart', async () => {
    const h = harness()
    await h.send('Delete my data')
    await h.send('John Smith')
    const saved = await h.storage.conversations.get('wechat-oa:user-1')
    expect(saved).toMatchObject({ mode: 'collect', type: 'delete', awaiting: 'contact', fields: { name: 'John Smith' } })
  })

  it('status shows only the requester’s own requests, with the due date once verified', async () => {
    const h = harness()
    await h.send('Delete my data, my name is John Smith, email john@example.org')
    await h.send('skip')
    const id = idIn(await h.send('yes'))
    expect(await h.send('status')).toMatch(new RegExp(`${id} \\(delete your personal information\\): awaiting identity verification`))
    expect(await h.sendAs('someone-else', `status ${id}`)).toMatch(/You have no request/)
    expect(await h.sendAs('someone-else', '状态')).toMatch(/还没有提交过申请/)
    await h.staff(`/verify ${id}`)
    expect(await h.send(`status ${id}`)).toMatch(/due by 2026-12-14/)
    expect(await h.send('进度')).toMatch(/处理中，答复期限 2026-12-14/)
  })

  it('English texts speak to the person: “your request to access your personal information”', async () => {
    const h = harness()
    const menu = await h.send('request')
    expect(menu).toMatch(/1\. 查阅个人信息 Access your personal information/)
    const started = await h.send('1')
    expect(started).toMatch(/your request to access your personal information/)
    await h.send('Ann Lee')
    await h.send('ann@example.org')
    expect(await h.send('skip')).toMatch(/Request: access your personal information/)
    const done = await h.send('yes')
    expect(done).toMatch(/\(access your personal information\)/)
    expect(await h.send('status')).toMatch(/\(access your personal information\): awaiting identity verification/)
    expect(await h.send('What happens if I ask you to delete my data?')).toMatch(/To file a request to delete your personal information, reply “request”/)
    for (const text of [menu, started, done]) expect(text).not.toMatch(/\bmy personal information/)
  })

  it('"人工" leaves a message for staff as an inquiry', async () => {
    const h = harness()
    expect(await h.send('人工')).toMatch(/留给工作人员/)
    const filed = await h.send('我想了解你们和哪些公司合作')
    expect(filed).toMatch(/已收到您的留言，编号 PR-/)
    const [r] = await h.storage.requests.list()
    expect(r).toMatchObject({ kind: 'inquiry', state: 'submitted', personal: { details: { message: '我想了解你们和哪些公司合作' } } })
  })

  it('an inquiry is awaiting a reply, not identity verification, wherever its state is shown', async () => {
    const h = harness()
    await h.send('人工')
    const id = idIn(await h.send('请问可以开发票吗'))
    const views = [await h.send('状态'), await h.send(`状态 ${id}`), await h.staff('/list'), await h.staff(`/show ${id}`)]
    for (const view of views) {
      expect(view).toMatch(/待回复/)
      expect(view).not.toMatch(/待核验身份|identity verification/)
    }
    await h.sendAs('user-2', 'staff')
    await h.sendAs('user-2', 'Can I get an invoice?')
    expect(await h.sendAs('user-2', 'status')).toMatch(/\(message to staff\): awaiting a reply from staff;/)
    await h.staff(`/reply ${id} 可以。`)
    expect(await h.send(`状态 ${id}`)).toMatch(/（留言）：已回复；/)
    expect(await h.staff('/list')).toMatch(new RegExp(`${id} \\| 留言 inquiry \\| 已回复 replied`))
    expect(await h.staff(`/show ${id}`)).toMatch(/状态 State: 已回复 replied/)
  })
})

describe('limits', () => {
  it('caps open requests per person (default 5); opt-out is never refused', async () => {
    const h = harness()
    for (let i = 0; i < 5; i++) {
      await h.send(`Delete my data. My name is John Smith, email john${i}@example.org`)
      await h.send('skip')
      expect(await h.send('yes')).toMatch(ID)
    }
    expect(await h.send('Delete my data')).toMatch(/already have 5 open requests/)
    expect(await h.send('人工')).toMatch(/已有 5 个尚未办结/)
    expect(await h.send('退订')).toMatch(/已为您退订/)
    expect(await h.sendAs('user-2', 'Delete my data')).toMatch(/full name/)
  })
})

describe('one person, several messages at once', () => {
  it('handles them in arrival order, so no answer is lost or applied to the wrong step', async () => {
    const h = harness()
    const replies = await Promise.all([
      h.send('Delete my data'),
      h.send('John Smith'),
      h.send('john@example.org'),
      h.send('skip'),
      h.send('yes'),
    ])
    expect(replies[1]).toMatch(/e-mail address or a mobile number/)
    expect(replies[3]).toMatch(/Please confirm/)
    expect(replies[4]).toMatch(ID)
    expect(await h.storage.requests.list()).toHaveLength(1)
  })
})
