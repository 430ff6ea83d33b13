import { describe, expect, it } from 'vitest'
import { createAssistant } from '../../src/assistant/assistant.js'
import type { Incoming, IncomingKind } from '../../src/assistant/types.js'
import { silentLogger } from '../../src/log.js'
import { fakePolicy } from '../support/fake-policy.js'

const clock = { now: () => new Date('2026-11-29T02:00:00Z') }

function setup() {
  const unsubscribed: string[] = []
  const assistant = createAssistant({
    policy: fakePolicy(),
    clock,
    logger: silentLogger(),
    onUnsubscribe: (i) => void unsubscribed.push(i.userId),
  })
  const send = async (text: string, kind: IncomingKind = 'text', extra: Partial<Incoming> = {}) =>
    (await assistant.handle({ channel: 'wechat-oa', userId: 'u1', kind, text, receivedAt: clock.now(), ...extra }))?.text ?? null
  return { send, unsubscribed }
}

describe('assistant: policy questions', () => {
  it('answers from the policy and pages with "more"', async () => {
    const { send } = setup()
    expect(await send('Explain cookies')).toBe('[en] What are cookies? page 1')
    expect(await send('more')).toBe('[en] What are cookies? page 2')
    expect(await send('more')).toMatch(/nothing more/)
  })

  it('uses Chinese for a Chinese question, and 更多 continues it', async () => {
    const { send } = setup()
    expect(await send('Cookie是什么')).toBe('[zh] What are cookies? page 1')
    expect(await send('更多')).toBe('[zh] What are cookies? page 2')
    expect(await send('更多')).toMatch(/没有更多/)
  })

  it('falls back honestly with the numbered topics and no policy text', async () => {
    const { send } = setup()
    const en = (await send('What time is it in Beijing?'))!
    expect(en).toMatch(/could not find/)
    expect(en).toContain('1. What data we collect')
    expect(en).toContain('staff')
    expect(en).not.toContain('Text of')
    const zh = (await send('推荐一部电影'))!
    expect(zh).toMatch(/找不到/)
    expect(zh).toContain('2. 什么是 Cookie')
    expect(zh).toContain('人工')
  })

  it('answers a topic picked by number, including full-width digits', async () => {
    const { send } = setup()
    expect(await send('2')).toBe('[en] What are cookies? page 1')
    expect(await send('１')).toBe('[en] What data we collect page 1')
    // Out of range: the honest fallback, which lists the topics to pick from.
    expect(await send('9')).toMatch(/could not find[\s\S]*1\. What data we collect/)
    expect(await send('0')).toMatch(/could not find/)
  })

  it('shows the bilingual welcome for help, 帮助, ? and subscribe', async () => {
    const { send } = setup()
    for (const w of ['help', '帮助', '?', '？', 'Help!']) {
      const text = (await send(w))!
      expect(text).toContain('隐私助手')
      expect(text).toContain('privacy assistant')
      expect(text).toContain('1. 我们收集哪些数据 What data we collect')
    }
    expect(await send('', 'subscribe')).toContain('隐私助手')
  })
})

describe('assistant: other message kinds', () => {
  it('records unsubscribe and says nothing', async () => {
    const { send, unsubscribed } = setup()
    expect(await send('', 'unsubscribe')).toBeNull()
    expect(unsubscribed).toEqual(['u1'])
  })

  it('gives a helpful text for images, locations, links, files and voice without recognition', async () => {
    const { send } = setup()
    for (const kind of ['image', 'location', 'link', 'file', 'voice', 'video'] as const) {
      const text = (await send('', kind))!
      expect(text).toMatch(/请用文字提问/)
      expect(text).toMatch(/type your question/)
    }
  })

  it('maps menu keys to topics and unknown keys to the welcome', async () => {
    const { send } = setup()
    expect(await send('', 'menu', { menuKey: 'TOPIC_2' })).toBe('[zh] What are cookies? page 1')
    expect(await send('', 'menu', { menuKey: 'TOPIC_what-data-we-collect' })).toBe('[zh] What data we collect page 1')
    expect(await send('', 'menu', { menuKey: 'HELP' })).toContain('隐私助手')
  })

  it('treats empty, control-only and garbled text safely', async () => {
    const { send } = setup()
    expect(await send('   \u200b\u0007 ')).toMatch(/请输入您的问题/)
    expect(await send('\ud800cookie')).toBe('[en] What are cookies? page 1')
    expect(await send('x'.repeat(100_000))).toMatch(/could not find/)
  })
})

describe('assistant: rate limit', () => {
  it('answers politely past 30 messages a minute, exempts staff, and recovers after a minute', async () => {
    let now = new Date('2026-11-29T02:00:00Z')
    const assistant = createAssistant({
      policy: fakePolicy(),
      clock: { now: () => now },
      logger: silentLogger(),
      rateLimit: { perMinute: 30, exempt: (i) => i.userId === 'staff' },
    })
    const send = async (userId: string) => (await assistant.handle({ channel: 'wechat-oa', userId, kind: 'text', text: 'cookie', receivedAt: now }))!.text
    for (let i = 0; i < 30; i++) expect(await send('fast')).toContain('What are cookies?')
    expect(await send('fast')).toMatch(/太频繁[\s\S]*too quickly/)
    expect(await send('other')).toContain('What are cookies?')
    for (let i = 0; i < 40; i++) expect(await send('staff')).toContain('What are cookies?')
    // A typist at one message every 2 seconds never meets the limit.
    now = new Date(now.getTime() + 60_000)
    for (let i = 0; i < 60; i++) {
      now = new Date(now.getTime() + 2_000)
      expect(await send('fast')).toContain('What are cookies?')
    }
  })
})
