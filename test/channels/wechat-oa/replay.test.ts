/**
 * Replays of a signed URL. In plaintext mode WeChat signs only token, timestamp and nonce, so the
 * body — sender included — is the caller's word: a signature must carry one message only, and
 * the `openid` WeChat sends must name that message's sender.
 */
import type Koa from 'koa'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createHttpApp } from '../../../src/http/app.js'
import { createLogger } from '../../../src/log.js'
import { MemorySignatureLedger } from '../../../src/channels/wechat-oa/signature-ledger.js'
import { TestClock } from '../../support/test-clock.js'
import { wechatEncrypt } from '../../support/wechat-client.js'
import { FakeAssistant } from '../../support/fake-assistant.js'
import { AES_KEY, APP_ID, NOW_SECONDS, NOW, capture, TOKEN, USER, freshNonce, harness, makeConfig, messageXml, parseReply, rawPostStatus, safeModeEnv, sha1Sorted, signedQuery, textXml } from './helpers.js'

const STAFF = 'oStaffOpenId_0001'

/** The captured URL: one timestamp and nonce, with whatever openid the replayer writes in. */
function captured(nonce = freshNonce(), seconds = NOW_SECONDS): (openid?: string) => string {
  return (openid) => {
    const params = new URLSearchParams(signedQuery(seconds, {}, TOKEN, nonce))
    if (openid === undefined) params.delete('openid')
    else params.set('openid', openid)
    return params.toString()
  }
}

describe('openid must name the sender', () => {
  it('refuses a staff FromUserName under another user\'s openid (401), without asking the assistant', async () => {
    const h = harness()
    const url = captured()
    const res = await h.post(textXml('/list all', '5000000000000000001', STAFF), url('o_someone_else'))
    expect(res.status).toBe(401)
    expect(res.text).toBe('Unauthorized')
    expect(h.assistant.calls).toHaveLength(0)
    // Refused before the signature was claimed: the genuine message can still use it.
    expect((await h.post(textXml('hello', '5000000000000000002'), url(USER))).status).toBe(200)
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('refuses a repeated openid parameter, accepts an absent one (older clients omit it)', async () => {
    const h = harness()
    const twice = `${captured()(USER)}&openid=${USER}`
    expect((await h.post(textXml('x', '5000000000000000003'), twice)).status).toBe(401)
    expect((await h.post(textXml('x', '5000000000000000004'), captured()())).status).toBe(200)
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('compares openid with the decrypted sender in safe and compatible mode, not with the plaintext copy', async () => {
    const h = harness({ env: safeModeEnv() })
    const inner = textXml('/list all', '5000000000000000005', STAFF)
    const forged = safeRequest(inner, { openid: USER, compatible: textXml('/list all', '5000000000000000005', USER) })
    expect((await h.post(forged.body, forged.query)).status).toBe(401)
    const plain = safeRequest(inner, { openid: USER })
    expect((await h.post(plain.body, plain.query)).status).toBe(401)
    expect(h.assistant.calls).toHaveLength(0)
    const genuine = safeRequest(inner, { openid: STAFF })
    expect((await h.post(genuine.body, genuine.query)).status).toBe(200)
    expect(h.assistant.calls).toEqual([expect.objectContaining({ userId: STAFF, text: '/list all' })])
  })
})

describe('one message per signature', () => {
  it('refuses the same signature with a different MsgId (401), without asking the assistant', async () => {
    const h = harness()
    const url = captured()
    expect((await h.post(textXml('hello', '5000000000000000011'), url(USER))).status).toBe(200)
    const replay = await h.post(textXml('/list all', '5000000000000000012'), url(USER))
    expect(replay.status).toBe(401)
    expect(h.assistant.calls.map((c) => c.text)).toEqual(['hello'])
  })

  it('refuses the same signature and MsgId from a different sender (401)', async () => {
    const h = harness()
    const url = captured()
    expect((await h.post(textXml('hello', '5000000000000000021'), url(USER))).status).toBe(200)
    const replay = await h.post(textXml('/list all', '5000000000000000021', STAFF), url(STAFF))
    expect(replay.status).toBe(401)
    const noOpenid = await h.post(textXml('/list all', '5000000000000000021', STAFF), url())
    expect(noOpenid.status).toBe(401)
    expect(h.assistant.calls.map((c) => c.userId)).toEqual([USER])
  })

  it('refuses the same signature with a different event (401)', async () => {
    const h = harness()
    const url = captured()
    expect((await h.post(messageXml({ MsgType: 'event', Event: 'CLICK', EventKey: 'PRIVACY_POLICY' }), url(USER))).status).toBe(200)
    const other = await h.post(messageXml({ MsgType: 'event', Event: 'CLICK', EventKey: 'MY_REQUESTS' }), url(USER))
    expect(other.status).toBe(401)
    const unsubscribe = await h.post(messageXml({ MsgType: 'event', Event: 'unsubscribe' }), url(USER))
    expect(unsubscribe.status).toBe(401)
    expect(h.assistant.calls.map((c) => c.menuKey)).toEqual(['PRIVACY_POLICY'])
  })

  it('serves WeChat\'s retry (same signature, same message) the first reply, the assistant asked once, even after a refused replay', async () => {
    let n = 0
    const h = harness({ assistant: new FakeAssistant(async () => ({ text: `answer ${++n}` })) })
    const url = captured()
    const body = textXml('what do you store?', '5000000000000000031')
    const first = await h.post(body, url(USER))
    expect((await h.post(textXml('/list all', '5000000000000000032'), url(USER))).status).toBe(401)
    h.clock.seconds += 5
    const retry = await h.post(body, url(USER))
    expect(retry.status).toBe(200)
    expect(parseReply(retry.text).Content).toBe(parseReply(first.text).Content)
    expect(parseReply(retry.text).Content).toBe('answer 1')
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('accepts a new message under a fresh signature (200) where the used one is refused', async () => {
    const h = harness()
    const used = captured()
    expect((await h.post(textXml('first', '5000000000000000041'), used(USER))).status).toBe(200)
    const next = textXml('second', '5000000000000000042')
    expect((await h.post(next, used(USER))).status).toBe(401)
    const fresh = await h.post(next, captured()(USER))
    expect(fresh.status).toBe(200)
    expect(parseReply(fresh.text).Content).toBe('kind:text')
    expect(h.assistant.calls.map((c) => c.text)).toEqual(['first', 'second'])
  })

  it('does not run the same request again once the retry cache has forgotten it, inside the window', async () => {
    const h = harness()
    const url = captured()
    const body = textXml('确认', '5000000000000000051')
    expect((await h.post(body, url(USER))).status).toBe(200)
    h.clock.seconds += 120 // the retry cache keeps answers a minute; the window is 300 s
    const replay = await h.post(body, url(USER))
    expect(replay.status).toBe(401)
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('remembers a signature across the whole window: first used at one edge, refused at the other', async () => {
    const h = harness({ env: { WECHAT_TIMESTAMP_WINDOW: '300' } })
    const url = captured(freshNonce(), NOW_SECONDS + 300) // a clock 300 s ahead of ours
    expect((await h.post(textXml('hello', '5000000000000000061'), url(USER))).status).toBe(200)
    h.clock.seconds += 600 // the timestamp is now 300 s behind: still inside the window
    expect((await h.post(textXml('/list all', '5000000000000000062'), url(USER))).status).toBe(401)
    h.clock.seconds += 1
    expect((await h.post(textXml('/list all', '5000000000000000063'), url(USER))).status).toBe(401)
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('checks the timestamp again once the body is read, so a trickled body cannot outlive the claim', async () => {
    const h = harness({ env: { WECHAT_TIMESTAMP_WINDOW: '300' } })
    const url = captured(freshNonce(), NOW_SECONDS - 300)
    expect((await h.post(textXml('hello', '5000000000000000071'), url(USER))).status).toBe(200)
    // Starts inside the window; by the time the body is in, the first claim (600 s) has expired.
    const status = await slowPostStatus(h.app, `/wechat?${url(USER)}`, textXml('/list all', '5000000000000000072'), () => {
      h.clock.seconds += 601
    })
    expect(status).toBe(401)
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('holds in safe mode too: one signature, one encrypted message', async () => {
    const h = harness({ env: safeModeEnv() })
    const nonce = freshNonce()
    const first = safeRequest(textXml('hello', '5000000000000000081'), { nonce })
    expect((await h.post(first.body, first.query)).status).toBe(200)
    // Only someone holding the token could sign a second cipher text; it is refused all the same.
    const second = safeRequest(textXml('/list all', '5000000000000000082'), { nonce })
    expect((await h.post(second.body, second.query)).status).toBe(401)
    const retry = await h.post(first.body, first.query)
    expect(retry.status).toBe(200)
    expect(h.assistant.calls.map((c) => c.text)).toEqual(['hello'])
  })
})

describe('refusal log', () => {
  it('names the reason, tags users by hash, and never holds an OpenID or the text', async () => {
    const out = capture()
    const assistant = new FakeAssistant()
    const app = createHttpApp({ config: makeConfig(), assistant, clock: new TestClock(NOW), logger: createLogger({ destination: out.stream }) })
    const agent = request(app.callback())
    const post = (body: string, query: string): Promise<unknown> => agent.post(`/wechat?${query}`).send(body).then((r) => r)
    const url = captured()
    await post(textXml('SECRET-MISMATCH', '5000000000000000091', STAFF), url(USER))
    await post(textXml('SECRET-FIRST', '5000000000000000092'), url(USER))
    await post(textXml('SECRET-REUSE', '5000000000000000093', STAFF), url(STAFF))
    await new Promise((r) => setImmediate(r))

    const refused = out.lines().filter((l) => l.msg === 'wechat message refused')
    expect(refused).toEqual([
      expect.objectContaining({ status: 401, reason: 'openid-mismatch', mode: 'plain', user: expect.stringMatching(/^[0-9a-f]{12}$/) }),
      expect.objectContaining({ status: 401, reason: 'signature-reused', mode: 'plain', user: expect.stringMatching(/^[0-9a-f]{12}$/) }),
    ])
    expect(out.lines()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'request refused', status: 401, reason: 'openid-mismatch' }),
        expect.objectContaining({ msg: 'request refused', status: 401, reason: 'signature-reused' }),
      ]),
    )
    expect(out.raw()).not.toContain(USER)
    expect(out.raw()).not.toContain(STAFF)
    expect(out.raw()).not.toContain('SECRET')
    expect(assistant.calls).toHaveLength(1)
  })
})

describe('MemorySignatureLedger', () => {
  const key = (seconds: number, nonce: string): string => `${seconds}:${nonce}`

  it('tells a first use, a repeat of the same message and a conflicting one apart', () => {
    const ledger = new MemorySignatureLedger({ clock: new TestClock(NOW), windowSeconds: 300 })
    expect(ledger.claim(key(NOW_SECONDS, '1'), 'a')).toBe('first')
    expect(ledger.claim(key(NOW_SECONDS, '1'), 'a')).toBe('repeat')
    expect(ledger.claim(key(NOW_SECONDS, '1'), 'b')).toBe('conflict')
    expect(ledger.claim(key(NOW_SECONDS, '2'), 'b')).toBe('first')
  })

  it('keeps a claim for twice the window, then forgets it', () => {
    const clock = new TestClock(NOW)
    const ledger = new MemorySignatureLedger({ clock, windowSeconds: 300 })
    ledger.claim(key(NOW_SECONDS, '1'), 'a')
    clock.seconds += 600
    expect(ledger.claim(key(NOW_SECONDS, '1'), 'b')).toBe('conflict')
    clock.seconds += 0.001
    expect(ledger.claim(key(NOW_SECONDS, '1'), 'b')).toBe('first')
  })

  it('evicts the oldest claim at its bound, and reports evictions of claims still inside the window', () => {
    const clock = new TestClock(NOW)
    const reports: number[] = []
    const ledger = new MemorySignatureLedger({ clock, windowSeconds: 300, maxEntries: 2, onOverflow: (n) => reports.push(n) })
    // Two claims whose timestamps have left the window: forgetting them reopens nothing.
    ledger.claim(key(NOW_SECONDS - 400, 'old1'), 'a')
    ledger.claim(key(NOW_SECONDS - 400, 'old2'), 'b')
    ledger.claim(key(NOW_SECONDS, '1'), 'c')
    ledger.claim(key(NOW_SECONDS, '2'), 'd')
    expect(ledger.liveEvictions).toBe(0)
    expect(ledger.claim(key(NOW_SECONDS, '1'), 'c')).toBe('repeat')
    ledger.claim(key(NOW_SECONDS, '3'), 'x')
    // The oldest claim went, although it was looked up last: lookups do not refresh a claim.
    expect(ledger.claim(key(NOW_SECONDS, '2'), 'd')).toBe('repeat')
    for (let i = 4; i <= 7; i++) ledger.claim(key(NOW_SECONDS, String(i)), 'x')
    expect(ledger.size).toBe(2)
    expect(ledger.liveEvictions).toBe(5)
    expect(reports).toEqual([1, 2, 4])
    expect(ledger.claim(key(NOW_SECONDS, '1'), 'z')).toBe('first') // forgotten: what the bound is sized against
  })

  it('sizes its default bound from the window', () => {
    const ledger = new MemorySignatureLedger({ clock: new TestClock(NOW), windowSeconds: 1 })
    for (let i = 0; i < 500; i++) ledger.claim(key(NOW_SECONDS, String(i)), 'm')
    expect(ledger.size).toBe(500)
    expect(ledger.liveEvictions).toBe(0)
    ledger.claim(key(NOW_SECONDS, '500'), 'm')
    expect(ledger.size).toBe(500)
    expect(ledger.liveEvictions).toBe(1)
  })
})

// ---- helpers -----------------------------------------------------------------------------------

/** A safe-mode request as WeChat builds it (own AES layout, independent of src). */
function safeRequest(inner: string, opts: { nonce?: string; openid?: string; compatible?: string } = {}): { query: string; body: string } {
  const encrypt = wechatEncrypt(inner, AES_KEY, APP_ID)
  const nonce = opts.nonce ?? freshNonce()
  const msgSignature = sha1Sorted([TOKEN, String(NOW_SECONDS), nonce, encrypt])
  const sender = /<FromUserName><!\[CDATA\[(.*?)\]\]>/.exec(inner)?.[1] ?? USER
  const query = signedQuery(NOW_SECONDS, { encrypt_type: 'aes', msg_signature: msgSignature, openid: opts.openid ?? sender }, TOKEN, nonce)
  const beside = opts.compatible ? opts.compatible.replace(/^<xml>|<\/xml>$/g, '') : ''
  return { query, body: `<xml>${beside}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` }
}

/** Sends the headers, runs `meanwhile` once the server is waiting for the body, then sends it. */
function slowPostStatus(app: Koa, path: string, body: string, meanwhile: () => void): Promise<number> {
  return rawPostStatus(app, path, (req) => {
    req.flushHeaders()
    setTimeout(() => {
      meanwhile()
      req.end(body)
    }, 50)
  })
}

