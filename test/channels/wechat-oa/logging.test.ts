import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createHttpApp } from '../../../src/http/app.js'
import { createLogger } from '../../../src/log.js'
import { FakeAssistant } from '../../support/fake-assistant.js'
import { USER, capture, makeConfig, signedQuery, textXml, NOW } from './helpers.js'
import { TestClock } from '../../support/test-clock.js'


describe('logging', () => {
  it('writes one line per message with kind, hashed user, duration and status — never the texts', async () => {
    const out = capture()
    const assistant = new FakeAssistant(async () => ({ text: 'SECRET-REPLY 手机号 13800000000' }))
    const app = createHttpApp({ config: makeConfig(), assistant, clock: new TestClock(NOW), logger: createLogger({ destination: out.stream }) })
    const agent = request(app.callback())
    await agent.post(`/wechat?${signedQuery()}`).send(textXml('SECRET-QUESTION 我的身份证号'))
    await new Promise((r) => setImmediate(r))

    const lines = out.lines().filter((l) => l.msg === 'wechat message')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ kind: 'text', status: 200, outcome: 'reply', mode: 'plain' })
    expect(typeof lines[0]?.durationMs).toBe('number')
    expect(lines[0]?.user).toMatch(/^[0-9a-f]{12}$/)
    expect(out.raw()).not.toContain(USER)
    expect(out.raw()).not.toMatch(/SECRET|身份证|13800000000/)
  })

  it('logs a failing assistant without its message, and refusals with their reason', async () => {
    const out = capture()
    const assistant = new FakeAssistant(async (i) => {
      throw new Error(`could not handle\n    at ${i.text}\n${i.text}`)
    })
    const app = createHttpApp({ config: makeConfig(), assistant, clock: new TestClock(NOW), logger: createLogger({ destination: out.stream }) })
    const agent = request(app.callback())
    await agent.post(`/wechat?${signedQuery()}`).send(textXml('SECRET-QUESTION'))
    await agent.post(`/wechat?${signedQuery(0)}`).send(textXml('SECRET-QUESTION'))
    await new Promise((r) => setImmediate(r))

    expect(out.raw()).not.toContain('SECRET')
    expect(out.lines()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'wechat message', outcome: 'error', errorName: 'Error' }),
        expect.objectContaining({ msg: 'request refused', status: 401, reason: 'timestamp-stale' }),
      ]),
    )
  })
})
