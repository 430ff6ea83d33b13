import { describe, expect, it, vi } from 'vitest'
import { createAssistant } from '../../src/assistant/assistant.js'
import type { Conversation } from '../../src/assistant/rights/conversation.js'
import { createRightsFlow } from '../../src/assistant/rights/flow.js'
import { createStatusStep } from '../../src/assistant/status.js'
import { createLogger } from '../../src/log.js'
import { openMemoryStorage } from '../../src/storage/open.js'
import { fakePolicy } from '../support/fake-policy.js'
import { TestClock } from '../support/test-clock.js'

/** When storage fails, the person is told plainly that nothing was saved, and nothing is lost or confirmed. */

/** The error a full disk gives, with personal data in its message as a write error may well have. */
const diskFull = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write {"name":"张三","email":"zhang@example.com"}'), { code: 'ENOSPC' })

function wired() {
  const clock = new TestClock()
  const lines: string[] = []
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream })
  const policy = fakePolicy()
  const storage = openMemoryStorage<Conversation>(clock)
  const assistant = createAssistant({
    policy,
    clock,
    logger,
    steps: (tools) => [
      createStatusStep(storage.requests),
      createRightsFlow({ requests: storage.requests, conversations: storage.conversations, preferences: storage.preferences, policy, logger, timeoutMs: 30 * 60_000 }, tools),
    ],
  })
  const send = async (text: string) => (await assistant.handle({ channel: 'wechat-oa', userId: 'user-1', kind: 'text', text, receivedAt: clock.now() }))?.text ?? ''
  const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  const convo = () => storage.conversations.get('wechat-oa:user-1')
  return { storage, send, logged, lines, convo }
}

describe('filing fails', () => {
  it('at the summary: says the request was not submitted, keeps the summary, and a later 确认 files it', async () => {
    const w = wired()
    await w.send('请删除我的个人信息，我叫张三，邮箱 zhang@example.com')
    await w.send('跳过')
    const before = await w.convo()
    expect(before?.mode).toBe('confirm')
    const create = vi.spyOn(w.storage.requests, 'create').mockRejectedValueOnce(diskFull())
    const reply = await w.send('确认')
    expect(reply).toBe('抱歉，申请暂时未能保存，尚未提交。请稍后再回复“确认”重试。')
    expect(reply).not.toMatch(/已提交|PR-/)
    expect(await w.convo()).toEqual(before)
    expect(await w.storage.requests.list()).toHaveLength(0)
    expect(w.logged()).toContainEqual(expect.objectContaining({ event: 'request.create_failed', code: 'ENOSPC' }))
    expect(w.lines.join('\n')).not.toMatch(/张三|zhang@example\.com|no space left/)
    expect(await w.send('确认')).toMatch(/已提交！您的申请编号：PR-/)
    expect(create).toHaveBeenCalledTimes(2)
    expect(await w.storage.requests.list()).toHaveLength(1)
    expect(await w.convo()).toBeUndefined()
  })

  it('in English, the retry word is “yes”', async () => {
    const w = wired()
    await w.send('Delete my data. My name is John Smith, email john@example.org')
    await w.send('skip')
    vi.spyOn(w.storage.requests, 'create').mockRejectedValueOnce(diskFull())
    expect(await w.send('yes')).toBe('Sorry, your request could not be saved yet and has not been submitted. Please reply “yes” again in a moment.')
    expect((await w.convo())?.mode).toBe('confirm')
    expect(await w.send('yes')).toMatch(/^Submitted! Your request number is PR-/)
  })

  it('for a message to staff: says it has not reached staff, and sending it again files it', async () => {
    const w = wired()
    await w.send('人工')
    vi.spyOn(w.storage.requests, 'create').mockRejectedValueOnce(diskFull())
    expect(await w.send('请问可以开发票吗')).toBe('抱歉，您的留言暂时未能保存，尚未送达工作人员。请稍后重新发送您的留言。')
    expect((await w.convo())?.mode).toBe('inquiry')
    expect(w.logged()).toContainEqual(expect.objectContaining({ event: 'request.create_failed', code: 'ENOSPC' }))
    expect(w.lines.join('\n')).not.toContain('开发票')
    expect(await w.send('请问可以开发票吗')).toMatch(/已收到您的留言，编号 PR-/)
  })

  it('for a marketing opt-out: never confirms it', async () => {
    const w = wired()
    vi.spyOn(w.storage.requests, 'create').mockRejectedValueOnce(diskFull())
    const reply = await w.send('退订')
    expect(reply).toBe('抱歉，退订暂时未能完成记录。请稍后再发送“退订”重试。')
    expect(reply).not.toMatch(/已为您退订/)
    expect(await w.send('退订')).toMatch(/已为您退订/)
  })
})

describe('saving the conversation fails', () => {
  it('answers honestly in the person’s language instead of failing the turn', async () => {
    const w = wired()
    await w.send('请删除我的个人信息')
    vi.spyOn(w.storage.conversations, 'set').mockRejectedValueOnce(diskFull())
    expect(await w.send('张三')).toBe('抱歉，刚才的回复暂时未能保存。请稍后再发送一次。')
    expect(w.logged()).toContainEqual(expect.objectContaining({ event: 'conversation.save_failed', code: 'ENOSPC' }))
    expect(w.lines.join('\n')).not.toMatch(/张三|no space left/)
    // Nothing was taken: the same answer works once storage is back.
    expect((await w.convo())?.fields.name).toBeUndefined()
    expect(await w.send('张三')).toMatch(/联系方式/)
  })

  it('on the first message of a request too', async () => {
    const w = wired()
    vi.spyOn(w.storage.conversations, 'set').mockRejectedValueOnce(diskFull())
    expect(await w.send('Delete my data')).toBe('Sorry, I could not save your reply just now. Please send it again in a moment.')
    expect(await w.send('Delete my data')).toMatch(/full name/)
  })
})

describe('the database is out of reach', () => {
  /** What the PostgreSQL stores throw while the server is down. */
  const down = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })

  function outage() {
    const w = wired()
    vi.spyOn(w.storage.conversations, 'get').mockRejectedValue(down())
    vi.spyOn(w.storage.requests, 'listByUser').mockRejectedValue(down())
    return w
  }

  it('still answers policy questions, from memory', async () => {
    const w = outage()
    expect(await w.send('Do you use cookies?')).toMatch(/What are cookies\?/)
    expect(await w.send('你们会出售我的数据吗')).toMatch(/How we share your data/)
  })

  it('says honestly that requests are unavailable, for a request, a reply in a conversation and a status check', async () => {
    const w = outage()
    expect(await w.send('请删除我的个人信息')).toBe('抱歉，申请服务暂时不可用，您刚才的消息未被记录。请稍后再试；隐私政策相关问题仍可随时提问。')
    expect(await w.send('张三')).toMatch(/申请服务暂时不可用/)
    expect(await w.send('确认')).toMatch(/申请服务暂时不可用/)
    expect(await w.send('status')).toBe('Sorry, requests are temporarily unavailable and your message was not recorded. Please try again shortly; you can still ask about our privacy policy.')
    expect(await w.storage.requests.list()).toHaveLength(0)
    expect(w.logged()).toContainEqual(expect.objectContaining({ event: 'conversation.read_failed', code: 'ECONNREFUSED' }))
  })

  it('takes requests again once the database is back', async () => {
    const w = outage()
    expect(await w.send('Delete my data')).toMatch(/temporarily unavailable/)
    vi.restoreAllMocks()
    expect(await w.send('Delete my data')).toMatch(/full name/)
  })
})
