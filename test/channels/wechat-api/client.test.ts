import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WechatApiClient, type WechatApiClientOptions } from '../../../src/channels/wechat-api/client.js'
import { WechatApiError, WechatNetworkError } from '../../../src/channels/wechat-api/errors.js'
import { createLogger } from '../../../src/log.js'
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeWechatApi, type FakeWechatApi } from '../../support/fake-wechat-api.js'
import { TestClock } from '../../support/test-clock.js'

const ALICE = 'oAlice_openid_0001'
const BOB = 'oBob_openid_0002'

let api: FakeWechatApi
let clock: TestClock
let logLines: string[]

/**
 * Timeout cases use their own short timeout and an answer slower by a wide margin, so they take
 * a second rather than several, and a loaded machine is still not mistaken for either.
 */
const SHORT_TIMEOUT_MS = 250
const SLOW_MS = 1_000

function client(overrides: Partial<WechatApiClientOptions> = {}): WechatApiClient {
  const destination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk))
      done()
    },
  })
  return new WechatApiClient({
    apiBase: api.baseUrl,
    appId: FAKE_APP_ID,
    appSecret: FAKE_APP_SECRET,
    clock,
    logger: createLogger({ level: 'debug', destination }),
    // Generous, so a loaded CI machine is not mistaken for a timeout; the timeout cases delay longer.
    timeoutMs: 1500,
    retries: { attempts: 3, baseDelayMs: 5 },
    ...overrides,
  })
}

beforeEach(async () => {
  api = await startFakeWechatApi()
  clock = new TestClock(new Date('2026-11-29T02:00:00Z'))
  logLines = []
})
afterEach(async () => api.close())

describe('access_token', () => {
  it('is not fetched at construction, then fetched once for many sends', async () => {
    const c = client()
    expect(api.tokenFetches).toBe(0)
    for (let i = 0; i < 10; i++) await c.sendText(ALICE, `message ${i}`)
    expect(api.tokenFetches).toBe(1)
    expect(api.messages.map((m) => m.content)).toEqual(Array.from({ length: 10 }, (_, i) => `message ${i}`))
    expect(api.messages.every((m) => m.touser === ALICE)).toBe(true)
  })

  it('is fetched once when many sends start together', async () => {
    const c = client()
    api.failNext({ delayMs: 50 }, 1, 'token')
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.sendText(i % 2 ? ALICE : BOB, `m${i}`)))
    expect(api.tokenFetches).toBe(1)
    expect(api.messages).toHaveLength(20)
  })

  it('is refreshed 5 minutes before expires_in runs out, once for concurrent sends', async () => {
    await api.close()
    api = await startFakeWechatApi({ expiresIn: 7200 })
    const c = client()
    await c.sendText(ALICE, 'first')
    clock.advance((7200 - 301) * 1000)
    await c.sendText(ALICE, 'still cached')
    expect(api.tokenFetches).toBe(1)
    clock.advance(2000)
    api.failNext({ delayMs: 30 }, 1, 'token')
    await Promise.all([c.sendText(ALICE, 'a'), c.sendText(BOB, 'b'), c.sendText(ALICE, 'c')])
    expect(api.tokenFetches).toBe(2)
  })

  it.each([
    ['40001 (another process refetched)', (a: FakeWechatApi) => a.revokeTokens()],
    ['42001 (expired early)', (a: FakeWechatApi) => a.expireTokens()],
  ])('is refetched once and the send retried once on %s', async (_name, spoil) => {
    const c = client()
    await c.sendText(ALICE, 'one')
    spoil(api)
    await c.sendText(ALICE, 'two')
    expect(api.tokenFetches).toBe(2)
    expect(api.messages.map((m) => m.content)).toEqual(['one', 'two'])
  })

  it('is refetched once on 40014 even when several sends hit it together', async () => {
    const c = client()
    await c.sendText(ALICE, 'warm-up')
    api.revokeTokens()
    await Promise.all([c.sendText(ALICE, 'x'), c.sendText(BOB, 'y'), c.sendText(ALICE, 'z')])
    expect(api.tokenFetches).toBe(2)
    api.failNext({ errcode: 40014, errmsg: 'invalid access_token' })
    await c.sendText(BOB, 'after 40014')
    expect(api.tokenFetches).toBe(3)
    expect(api.messages).toHaveLength(5)
  })

  it('gives up after one refetch when the fresh token is refused too', async () => {
    const c = client()
    api.failNext({ errcode: 40001 }, 2)
    await expect(c.sendText(ALICE, 'x')).rejects.toMatchObject({ name: 'WechatApiError', errcode: 40001 })
    expect(api.tokenFetches).toBe(2)
  })

  it('reports wrong credentials as WechatApiError without sending', async () => {
    const c = client({ appSecret: 'wrong-secret' })
    const error = await c.sendText(ALICE, 'x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WechatApiError)
    expect(error).toMatchObject({ operation: 'token', errcode: 40125 })
    expect(api.calls.custom).toBe(0)
  })
})

describe('transient failures', () => {
  it.each([
    ['HTTP 502', { status: 502 }],
    ['a body that is not JSON', { garbage: true } as const],
    ['errcode -1 (system busy)', { errcode: -1, errmsg: 'system error' }],
    ['a dropped connection', { drop: true } as const],
    ['a timeout', { delayMs: SLOW_MS }],
  ])('retries %s and then succeeds', async (_name, failure) => {
    const c = client({ timeoutMs: SHORT_TIMEOUT_MS })
    api.failNext(failure, 2)
    await c.sendText(ALICE, 'hello')
    expect(api.calls.custom).toBe(3)
    expect(api.messages).toEqual([{ touser: ALICE, content: 'hello' }])
  })

  it('throws WechatNetworkError after the attempts run out', async () => {
    const c = client()
    api.failNext({ status: 503 }, 3)
    const error = await c.sendText(ALICE, 'x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WechatNetworkError)
    expect(error).toMatchObject({ reason: 'http-status', status: 503, attempts: 3, retryable: true })
    api.failNext({ garbage: true }, 3)
    await expect(c.sendText(ALICE, 'x')).rejects.toMatchObject({ name: 'WechatNetworkError', reason: 'bad-body' })
    api.failNext({ delayMs: SLOW_MS }, 3)
    await expect(client({ timeoutMs: SHORT_TIMEOUT_MS }).sendText(ALICE, 'x')).rejects.toMatchObject({ name: 'WechatNetworkError', reason: 'timeout' })
    expect(api.messages).toHaveLength(0)
  })

  it('throws WechatApiError -1 when WeChat stays busy', async () => {
    const c = client()
    api.failNext({ errcode: -1 }, 3)
    await expect(c.sendText(ALICE, 'x')).rejects.toMatchObject({ name: 'WechatApiError', errcode: -1, attempts: 3, retryable: true })
  })

  it('reports a server that is not there as a network error', async () => {
    const c = client()
    await api.close()
    await expect(c.sendText(ALICE, 'x')).rejects.toMatchObject({ name: 'WechatNetworkError', reason: 'network', attempts: 3 })
  })

  it('retries a failing token endpoint too', async () => {
    const c = client()
    api.failNext({ status: 500 }, 2, 'token')
    await c.sendText(ALICE, 'x')
    expect(api.calls.token).toBe(3)
    expect(api.tokenFetches).toBe(1)
  })
})

describe('business errors', () => {
  it.each([45015, 45047, 40003, 43004])('throws %i at once, without retrying', async (errcode) => {
    const c = client()
    api.failNext({ errcode })
    const error = await c.sendText(ALICE, 'x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WechatApiError)
    expect(error).toMatchObject({ errcode, operation: 'custom-send', attempts: 1, retryable: false })
    expect(api.calls.custom).toBe(1)
  })

  it('gets 45015 for a user outside the 48-hour window', async () => {
    const c = client()
    api.setWindowClosed(ALICE, true)
    await expect(c.sendText(ALICE, 'x')).rejects.toMatchObject({ errcode: 45015 })
    await c.sendText(BOB, 'y')
    expect(api.messages).toEqual([{ touser: BOB, content: 'y' }])
  })
})

describe('template messages', () => {
  it('sends the template with data wrapped as {value}', async () => {
    const c = client()
    const result = await c.sendTemplate(ALICE, 'TPL_1', { first: '您的请求有更新', keyword1: 'PR-20261129-ABC123', keyword2: 'replied' }, 'https://example.com/r')
    expect(result.msgid).toMatch(/^\d+$/)
    expect(api.templates).toEqual([
      {
        touser: ALICE,
        templateId: 'TPL_1',
        url: 'https://example.com/r',
        data: { first: '您的请求有更新', keyword1: 'PR-20261129-ABC123', keyword2: 'replied' },
      },
    ])
  })

  it('reaches a user outside the customer-service window', async () => {
    const c = client()
    api.setWindowClosed(ALICE, true)
    await c.sendTemplate(ALICE, 'TPL_1', { first: 'x' })
    expect(api.templates).toHaveLength(1)
  })
})

describe('logging', () => {
  it('never logs the message, the OpenID, the AppSecret or the access_token', async () => {
    const c = client()
    await c.sendText(ALICE, 'secret message 秘密')
    api.revokeTokens()
    api.failNext({ status: 500 })
    await c.sendText(ALICE, 'second secret message')
    api.failNext({ errcode: 45015 })
    await c.sendText(BOB, 'third').catch(() => undefined)
    await c.sendTemplate(ALICE, 'TPL', { first: 'template secret' })
    const log = logLines.join('')
    expect(log).toContain('wechat-api.token-fetched')
    expect(log).toContain('45015')
    for (const secret of ['secret message', '秘密', 'template secret', ALICE, BOB, FAKE_APP_SECRET, 'FAKE_TOKEN_', 'access_token=']) {
      expect(log).not.toContain(secret)
    }
  })
})
