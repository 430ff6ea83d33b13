import { createCipheriv, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import type Koa from 'koa'
import { describe, expect, it } from 'vitest'
import { AES_KEY, APP_ID, NOW_SECONDS, TOKEN, freshNonce, harness, parseReply, safeModeEnv, sha1Sorted, rawPostStatus, signedQuery, textXml } from './helpers.js'

const MIB = 1024 * 1024

/** Streams `size` bytes with Transfer-Encoding: chunked (no content-length) and returns the status. */
function chunkedPostStatus(app: Koa, path: string, size: number): Promise<number> {
  return rawPostStatus(app, path, (req) => {
    const chunk = Buffer.alloc(64 * 1024, 0x63)
    for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk.subarray(0, Math.min(chunk.length, size - sent)))
    req.end()
  })
}
const STACK = /\n\s+at |Error:|\.ts:\d|node_modules/

/** After any refusal the door must still serve a normal message. */
async function stillWorks(h: ReturnType<typeof harness>, msgId: string): Promise<void> {
  const res = await h.post(textXml('still there?', msgId))
  expect(res.status).toBe(200)
  expect(parseReply(res.text).Content).toBe('kind:text')
}

const XXE = `<?xml version="1.0"?>
<!DOCTYPE xml [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[u]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>`

const LOL = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>&lol9;</Content><MsgId>2</MsgId></xml>`

describe('hostile input', () => {
  it('refuses a body of 1 MiB + 1 byte with 413, accepts exactly 1 MiB', async () => {
    const h = harness()
    const big = await h.post(Buffer.alloc(MIB + 1, 0x61))
    expect(big.status).toBe(413)
    expect(big.text).toBe('Payload Too Large')
    const base = textXml('x', '11')
    const exact = await h.post(base.replace('</xml>', `<Pad>${'p'.repeat(MIB - Buffer.byteLength(base) - 11)}</Pad></xml>`))
    expect(exact.status).toBe(200)
    await stillWorks(h, '12')
  })

  it('refuses an oversized body whatever the content-type, and without a content-length', async () => {
    const h = harness()
    const res = await h.agent.post(`/wechat?${signedQuery()}`).set('Content-Type', 'application/octet-stream').send(Buffer.alloc(MIB + 1, 0x62))
    expect(res.status).toBe(413)
    expect(await chunkedPostStatus(h.app, `/wechat?${signedQuery()}`, MIB + 10)).toBe(413)
    await stillWorks(h, '13')
  })

  it.each([
    ['unclosed tags', '<xml><ToUserName>a</xml>'],
    ['not XML', 'hello world'],
    ['JSON', '{"MsgType":"text"}'],
    ['empty', ''],
    ['wrong root', '<message><MsgType>text</MsgType></message>'],
  ])('answers 400 to malformed XML (%s)', async (_name, body) => {
    const h = harness()
    const res = await h.post(body)
    expect(res.status).toBe(400)
    expect(res.text).toBe('Bad Request')
    expect(h.assistant.calls).toHaveLength(0)
    await stillWorks(h, '14')
  })

  it('refuses XXE with 400 and leaks no file content', async () => {
    const h = harness()
    const res = await h.post(XXE)
    expect(res.status).toBe(400)
    expect(res.text).not.toMatch(/root:|nologin|passwd/)
    expect(h.assistant.calls).toHaveLength(0)
    await stillWorks(h, '15')
  })

  it('refuses an entity bomb with 400, quickly', async () => {
    const h = harness()
    const started = Date.now()
    const res = await h.post(LOL)
    expect(res.status).toBe(400)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(h.assistant.calls).toHaveLength(0)
    await stillWorks(h, '16')
  })

  it('refuses a DOCTYPE hidden inside a safe-mode envelope', async () => {
    const h = harness({ env: safeModeEnv() })
    const key = Buffer.from(AES_KEY + '=', 'base64')
    const msg = Buffer.from(XXE)
    const len = Buffer.alloc(4)
    len.writeUInt32BE(msg.length)
    const body = Buffer.concat([randomBytes(16), len, msg, Buffer.from(APP_ID)])
    const pad = 32 - (body.length % 32)
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16))
    cipher.setAutoPadding(false)
    const encrypt = Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64')
    const nonce = freshNonce()
    const query = signedQuery(NOW_SECONDS, { encrypt_type: 'aes', msg_signature: sha1Sorted([TOKEN, String(NOW_SECONDS), nonce, encrypt]) }, TOKEN, nonce)
    const res = await h.post(`<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`, query)
    expect(res.status).toBe(400)
    expect(h.assistant.calls).toHaveLength(0)
  })

  it('refuses forged or missing signatures with 401, an empty-ish body, and no assistant call', async () => {
    const h = harness()
    const forged = await h.post(textXml('x', '17'), signedQuery(NOW_SECONDS, {}, 'notTheToken'))
    expect(forged.status).toBe(401)
    expect(forged.text).toBe('Unauthorized')
    const missing = await h.post(textXml('x', '18'), '')
    expect(missing.status).toBe(401)
    const tampered = await h.post(textXml('x', '19'), signedQuery().replace(/signature=[0-9a-f]{4}/, 'signature=0000'))
    expect(tampered.status).toBe(401)
    expect(h.assistant.calls).toHaveLength(0)
    await stillWorks(h, '20')
  })

  it('refuses stale or future timestamps with 401 (window from config), accepts inside it', async () => {
    const h = harness({ env: { WECHAT_TIMESTAMP_WINDOW: '300' } })
    expect((await h.post(textXml('x', '21'), signedQuery(NOW_SECONDS - 301))).status).toBe(401)
    expect((await h.post(textXml('x', '22'), signedQuery(NOW_SECONDS + 301))).status).toBe(401)
    expect((await h.post(textXml('x', '23'), signedQuery(NOW_SECONDS - 299))).status).toBe(200)
    expect(h.assistant.calls).toHaveLength(1)
    await stillWorks(h, '24')
  })

  it('answers 400 to an unknown encrypt_type', async () => {
    const h = harness()
    expect((await h.post(textXml('x', '25'), signedQuery(NOW_SECONDS, { encrypt_type: 'rot13' }))).status).toBe(400)
  })

  it('never answers arbitrary bodies with anything but 200/400/413, and never with a stack trace', async () => {
    const h = harness()
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 512 }),
      fc.string({ unit: 'binary', maxLength: 512 }),
      fc.string({ maxLength: 200 }).map((s) => `<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><Content>${s}</Content></xml>`),
      fc.string({ maxLength: 200 }).map((s) => `<xml>${s}</xml>`),
    )
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await h.post(body)
        expect([200, 400, 413]).toContain(res.status)
        expect(res.text).not.toMatch(STACK)
      }),
      { numRuns: 200 },
    )
    await stillWorks(h, '26')
  })
})
