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

const CREDENTIALS = { grant_type: 'client_credential', appid: FAKE_APP_ID, secret: FAKE_APP_SECRET }

type TokenAnswer = { access_token: string; expires_in: number } & Record<string, unknown>

/** POST /cgi-bin/stable_token to the fake, as another replica or a person would. */
async function stableToken(body: unknown): Promise<TokenAnswer> {
  const response = await fetch(`${api.baseUrl}/cgi-bin/stable_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return (await response.json()) as TokenAnswer
}

/** GET /cgi-bin/token from the fake. */
async function legacyToken(): Promise<TokenAnswer> {
  const response = await fetch(`${api.baseUrl}/cgi-bin/token?${new URLSearchParams(CREDENTIALS)}`)
  return (await response.json()) as TokenAnswer
}

/** The errcode of a customer-service message sent with `token`. */
async function sendWith(token: string): Promise<number> {
  const response = await fetch(`${api.baseUrl}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, {
    method: 'POST',
    body: JSON.stringify({ touser: ALICE, msgtype: 'text', text: { content: 'with a given token' } }),
  })
  return ((await response.json()) as { errcode: number }).errcode
}

beforeEach(async () => {
  clock = new TestClock(new Date('2026-11-29T02:00:00Z'))
  // The fake measures token lifetimes on the same clock the clients use.
  api = await startFakeWechatApi({ clock })
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
    api.failNext({ delayMs: 50 }, 1, 'stableToken')
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.sendText(i % 2 ? ALICE : BOB, `m${i}`)))
    expect(api.tokenFetches).toBe(1)
    expect(api.messages).toHaveLength(20)
  })

  it('is refreshed 5 minutes before expires_in runs out, once for concurrent sends', async () => {
    await api.close()
    api = await startFakeWechatApi({ expiresIn: 7200, clock })
    const c = client()
    await c.sendText(ALICE, 'first')
    clock.advance((7200 - 301) * 1000)
    await c.sendText(ALICE, 'still cached')
    expect(api.tokenFetches).toBe(1)
    clock.advance(2000)
    api.failNext({ delayMs: 30 }, 1, 'stableToken')
    await Promise.all([c.sendText(ALICE, 'a'), c.sendText(BOB, 'b'), c.sendText(ALICE, 'c')])
    // 299 s left: WeChat hands out the next token.
    expect(api.tokenFetches).toBe(2)
    expect(api.calls.stableToken).toBe(2)
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
    // Normal mode already hands out a new token: no forced refresh.
    expect(api.forceRefreshes).toBe(0)
    expect(api.messages.map((m) => m.content)).toEqual(['one', 'two'])
  })

  it('is refetched once on 40014 even when several sends hit it together', async () => {
    const c = client()
    await c.sendText(ALICE, 'warm-up')
    api.revokeTokens()
    await Promise.all([c.sendText(ALICE, 'x'), c.sendText(BOB, 'y'), c.sendText(ALICE, 'z')])
    expect(api.tokenFetches).toBe(2)
    expect(api.calls.stableToken).toBe(2)
    api.failNext({ errcode: 40014, errmsg: 'invalid access_token' })
    await c.sendText(BOB, 'after 40014')
    // Normal mode hands back the refused token, so a forced refresh replaces it.
    expect(api.tokenFetches).toBe(3)
    expect(api.forceRefreshes).toBe(1)
    expect(api.calls.stableToken).toBe(4)
    expect(api.messages).toHaveLength(5)
  })

  it('gives up after one refetch when the fresh token is refused too', async () => {
    const c = client()
    api.failNext({ errcode: 40001 }, 2)
    await expect(c.sendText(ALICE, 'x')).rejects.toMatchObject({ name: 'WechatApiError', errcode: 40001 })
    expect(api.tokenFetches).toBe(2)
    expect(api.forceRefreshes).toBe(1)
  })

  it('reports wrong credentials as WechatApiError without sending', async () => {
    const c = client({ appSecret: 'wrong-secret' })
    const error = await c.sendText(ALICE, 'x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WechatApiError)
    expect(error).toMatchObject({ operation: 'token', errcode: 40125 })
    expect(api.calls.custom).toBe(0)
  })
})

describe('replicas sharing one AppID', () => {
  it('share one token: one issuance however many replicas fetch, and one more at the hand-over', async () => {
    const [a, b, c] = [client(), client(), client()]
    await Promise.all([a.sendText(ALICE, 'from a'), b.sendText(BOB, 'from b')])
    clock.advance(1000 * 1000)
    await c.sendText(ALICE, 'from c, later')
    expect(api.calls.stableToken).toBe(3)
    expect(api.tokensIssued).toBe(1)
    expect(api.tokenFetches).toBe(1)
    // c was told the seconds left, so all three refresh together, in the token's last 5 minutes.
    clock.advance((7200 - 300 - 1000) * 1000)
    await Promise.all([a.sendText(ALICE, 'a2'), b.sendText(BOB, 'b2'), c.sendText(ALICE, 'c2')])
    expect(api.calls.stableToken).toBe(6)
    expect(api.tokensIssued).toBe(2)
    expect(api.tokenFetches).toBe(2)
    expect(api.forceRefreshes).toBe(0)
    expect(api.messages).toHaveLength(6)
  })

  it('recover in normal mode, without forcing, when another replica forced a new token', async () => {
    const [a, b] = [client(), client()]
    await a.sendText(ALICE, 'a1')
    await b.sendText(BOB, 'b1')
    const forced = await stableToken({ ...CREDENTIALS, force_refresh: true })
    expect(forced).toMatchObject({ access_token: expect.stringMatching(/^FAKE_TOKEN_/), expires_in: 7200 })
    await a.sendText(ALICE, 'a2')
    await b.sendText(BOB, 'b2')
    expect(api.forceRefreshes).toBe(1) // the other replica's, none of a's or b's
    expect(api.tokensIssued).toBe(2)
    expect(api.messages.map((m) => m.content)).toEqual(['a1', 'b1', 'a2', 'b2'])
    expect(logLines.join('')).toContain('wechat-api.token-refused')
    expect(logLines.join('')).not.toContain('forceRefresh')
  })

  it('force a refresh only when normal mode hands back the refused token; the others then follow in normal mode', async () => {
    const [a, b] = [client(), client()]
    await a.sendText(ALICE, 'a1')
    await b.sendText(BOB, 'b1')
    // WeChat refuses a's token although it is the current one: normal mode would hand it back again.
    api.failNext({ errcode: 40001 })
    await a.sendText(ALICE, 'a2')
    expect(api.forceRefreshes).toBe(1)
    expect(api.tokensIssued).toBe(2)
    expect(api.calls.stableToken).toBe(4) // a, b, a normal, a forced
    expect(logLines.join('')).toContain('"forceRefresh":true')
    // The forced refresh stopped the old token at once: b is refused, refetches normally, and recovers.
    await b.sendText(BOB, 'b2')
    expect(api.calls.stableToken).toBe(5)
    expect(api.forceRefreshes).toBe(1)
    expect(api.tokensIssued).toBe(2)
    expect(api.messages.map((m) => m.content)).toEqual(['a1', 'b1', 'a2', 'b2'])
  })

  it('keep the refused token when WeChat declines the forced refresh, so the send fails as retryable 40001', async () => {
    const c = client()
    await c.sendText(ALICE, 'warm-up')
    api.failNext({ errcode: 40001 }, 2)
    api.failNext({ delayMs: 0 }, 1, 'stableToken') // normal mode answers as usual
    api.failNext({ errcode: 45009, errmsg: 'reach max api daily quota limit' }, 1, 'stableToken')
    const error = await c.sendText(ALICE, 'x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WechatApiError)
    expect(error).toMatchObject({ operation: 'custom-send', errcode: 40001, retryable: true })
    expect(api.calls.stableToken).toBe(3)
    expect(api.tokensIssued).toBe(1)
    // The token is still good at WeChat: the next send goes out with it.
    await c.sendText(ALICE, 'y')
    expect(api.messages.map((m) => m.content)).toEqual(['warm-up', 'y'])
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
    api.failNext({ status: 500 }, 2, 'stableToken')
    await c.sendText(ALICE, 'x')
    expect(api.calls.stableToken).toBe(3)
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

describe('fake WeChat API tokens', () => {
  it('stable_token answers the current token with the seconds it has left, and hands over in its last 5 minutes', async () => {
    const first = await stableToken(CREDENTIALS)
    expect(first).toEqual({ access_token: expect.stringMatching(/^FAKE_TOKEN_/), expires_in: 7200 })
    clock.advance(1000 * 1000)
    expect(await stableToken({ ...CREDENTIALS, force_refresh: false })).toEqual({ access_token: first.access_token, expires_in: 6200 })
    clock.advance((6200 - 301) * 1000)
    expect(await stableToken(CREDENTIALS)).toEqual({ access_token: first.access_token, expires_in: 301 })
    expect(api.tokensIssued).toBe(1)
    clock.advance(2000)
    const second = await stableToken(CREDENTIALS)
    expect(second).toEqual({ access_token: expect.stringMatching(/^FAKE_TOKEN_/), expires_in: 7200 })
    expect(second.access_token).not.toBe(first.access_token)
    expect(api.tokensIssued).toBe(2)
    expect(api.tokenFetches).toBe(2)
    // Both work during the hand-over; the old one until its own expiry.
    expect(await sendWith(first.access_token)).toBe(0)
    expect(await sendWith(second.access_token)).toBe(0)
    expect(await stableToken(CREDENTIALS)).toEqual({ access_token: second.access_token, expires_in: 7200 })
    clock.advance(299 * 1000)
    expect(await sendWith(first.access_token)).toBe(42001)
    expect(await sendWith(second.access_token)).toBe(0)
    expect(api.calls.stableToken).toBe(5)
  })

  it('stable_token with force_refresh issues a new token and refuses the previous at once; again within 30 s it does not refresh', async () => {
    const first = await stableToken(CREDENTIALS)
    const forced = await stableToken({ ...CREDENTIALS, force_refresh: true })
    expect(forced.access_token).not.toBe(first.access_token)
    expect(await sendWith(first.access_token)).toBe(40001)
    expect(await sendWith(forced.access_token)).toBe(0)
    expect(await stableToken(CREDENTIALS)).toEqual({ access_token: forced.access_token, expires_in: 7200 })
    clock.advance(10_000)
    expect(await stableToken({ ...CREDENTIALS, force_refresh: true })).toEqual({ access_token: forced.access_token, expires_in: 7190 })
    clock.advance(20_000)
    const again = await stableToken({ ...CREDENTIALS, force_refresh: true })
    expect(again.access_token).not.toBe(forced.access_token)
    expect(await sendWith(forced.access_token)).toBe(40001)
    expect(api.forceRefreshes).toBe(3)
    expect(api.tokensIssued).toBe(3)
  })

  it('stable_token allows 20 forced refreshes a day, then answers 45009', async () => {
    for (let i = 0; i < 20; i++) {
      expect(await stableToken({ ...CREDENTIALS, force_refresh: true })).toHaveProperty('access_token')
      clock.advance(30_000)
    }
    expect(await stableToken({ ...CREDENTIALS, force_refresh: true })).toMatchObject({ errcode: 45009 })
    expect(await stableToken(CREDENTIALS)).toHaveProperty('access_token')
    clock.set('2026-11-29T16:00:00Z') // midnight in China
    expect(await stableToken({ ...CREDENTIALS, force_refresh: true })).toHaveProperty('access_token')
  })

  it('stable_token answers errors as /cgi-bin/token does, and wants a JSON POST', async () => {
    expect(await stableToken({ ...CREDENTIALS, grant_type: 'password' })).toMatchObject({ errcode: 40002 })
    expect(await stableToken({ ...CREDENTIALS, appid: 'wxsomeoneelse' })).toMatchObject({ errcode: 40013 })
    expect(await stableToken({ ...CREDENTIALS, secret: 'wrong' })).toMatchObject({ errcode: 40125 })
    expect(await stableToken(`grant_type=client_credential&appid=${FAKE_APP_ID}&secret=${FAKE_APP_SECRET}`)).toMatchObject({ errcode: 47001 })
    const get = await fetch(`${api.baseUrl}/cgi-bin/stable_token?${new URLSearchParams(CREDENTIALS)}`)
    expect(await get.json()).toMatchObject({ errcode: 43002 })
    expect(api.tokensIssued).toBe(0)
    expect(api.calls.stableToken).toBe(5)
  })

  it('/cgi-bin/token supersedes the tokens it issued before: they work 5 more minutes, then answer 40001', async () => {
    const first = await legacyToken()
    expect(first).toEqual({ access_token: expect.stringMatching(/^FAKE_TOKEN_/), expires_in: 7200 })
    clock.advance(60_000)
    const second = await legacyToken()
    expect(api.tokenFetches).toBe(2)
    expect(await sendWith(first.access_token)).toBe(0)
    clock.advance(300_000)
    expect(await sendWith(first.access_token)).toBe(40001)
    expect(await sendWith(second.access_token)).toBe(0)
    expect(api.calls.token).toBe(2)
  })

  it('/cgi-bin/token with tokenOverlapSeconds 0 refuses the older tokens at once', async () => {
    await api.close()
    api = await startFakeWechatApi({ clock, tokenOverlapSeconds: 0 })
    const first = await legacyToken()
    const second = await legacyToken()
    expect(await sendWith(first.access_token)).toBe(40001)
    expect(await sendWith(second.access_token)).toBe(0)
  })

  it('keeps the tokens of the two endpoints apart: neither invalidates the other', async () => {
    await api.close()
    api = await startFakeWechatApi({ clock, tokenOverlapSeconds: 0 })
    const stable = await stableToken(CREDENTIALS)
    const legacy = await legacyToken()
    await legacyToken()
    expect(await sendWith(stable.access_token)).toBe(0)
    expect(await stableToken(CREDENTIALS)).toEqual({ access_token: stable.access_token, expires_in: 7200 })
    const legacyNow = await legacyToken()
    await stableToken({ ...CREDENTIALS, force_refresh: true })
    expect(await sendWith(legacyNow.access_token)).toBe(0)
    expect(await sendWith(legacy.access_token)).toBe(40001)
    expect(api.tokensIssued).toBe(2)
    expect(api.tokenFetches).toBe(5)
  })

  it('expires tokens on its clock', async () => {
    const stable = await stableToken(CREDENTIALS)
    const legacy = await legacyToken()
    clock.advance(7200 * 1000)
    expect(await sendWith(stable.access_token)).toBe(42001)
    expect(await sendWith(legacy.access_token)).toBe(42001)
    expect(await sendWith('FAKE_TOKEN_never_issued')).toBe(40001)
  })
})
