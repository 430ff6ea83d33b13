/**
 * Safe mode (消息加解密) checked against an implementation of WeChat's layout written here from
 * the documentation — it shares no code with src/channels/wechat-oa/crypto.ts.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  ACCOUNT,
  AES_KEY,
  APP_ID,
  NOW_SECONDS,
  PREVIOUS_AES_KEY,
  TOKEN,
  USER,
  freshNonce,
  harness,
  parseReply,
  safeModeEnv,
  sha1Sorted,
  signedQuery,
  textXml,
} from './helpers.js'

// ---- WeChat's side, from scratch -------------------------------------------------------------

function aesKeyOf(encodingAesKey: string): Buffer {
  return Buffer.from(encodingAesKey + '=', 'base64')
}

function wechatEncrypt(message: string, encodingAesKey = AES_KEY, appId = APP_ID): string {
  const key = aesKeyOf(encodingAesKey)
  const msg = Buffer.from(message, 'utf8')
  const len = Buffer.from([(msg.length >>> 24) & 0xff, (msg.length >>> 16) & 0xff, (msg.length >>> 8) & 0xff, msg.length & 0xff])
  const body = Buffer.concat([randomBytes(16), len, msg, Buffer.from(appId, 'utf8')])
  const amount = 32 - (body.length % 32)
  const padded = Buffer.concat([body, Buffer.from(new Array<number>(amount).fill(amount))])
  const cipher = createCipheriv('aes-256-cbc', key, key.slice(0, 16))
  cipher.setAutoPadding(false)
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64')
}

function wechatDecrypt(encrypt: string, encodingAesKey = AES_KEY): { message: string; appId: string } {
  const key = aesKeyOf(encodingAesKey)
  const decipher = createDecipheriv('aes-256-cbc', key, key.slice(0, 16))
  decipher.setAutoPadding(false)
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()])
  expect(plain.length % 32).toBe(0)
  const pad = plain[plain.length - 1] ?? 0
  expect(pad).toBeGreaterThanOrEqual(1)
  expect(pad).toBeLessThanOrEqual(32)
  for (let i = plain.length - pad; i < plain.length; i++) expect(plain[i]).toBe(pad)
  const content = plain.slice(0, plain.length - pad)
  const len = ((content[16] ?? 0) << 24) | ((content[17] ?? 0) << 16) | ((content[18] ?? 0) << 8) | (content[19] ?? 0)
  return { message: content.slice(20, 20 + len).toString('utf8'), appId: content.slice(20 + len).toString('utf8') }
}

/** The query and body WeChat sends in safe mode (or compatible mode, with the plaintext too). */
function safeRequest(inner: string, opts: { key?: string; appId?: string; compatible?: boolean; badMsgSignature?: boolean } = {}) {
  const encrypt = wechatEncrypt(inner, opts.key ?? AES_KEY, opts.appId ?? APP_ID)
  const timestamp = String(NOW_SECONDS)
  const nonce = freshNonce()
  const msgSignature = opts.badMsgSignature ? sha1Sorted([TOKEN, timestamp, nonce, encrypt + 'x']) : sha1Sorted([TOKEN, timestamp, nonce, encrypt])
  const query = signedQuery(NOW_SECONDS, { encrypt_type: 'aes', msg_signature: msgSignature }, TOKEN, nonce)
  const plainPart = opts.compatible ? inner.replace(/^<xml>|<\/xml>$/g, '') : `<ToUserName><![CDATA[${ACCOUNT}]]></ToUserName>`
  const body = `<xml>${plainPart}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`
  return { query, body }
}

/** Checks the envelope's msg_signature with the test's own code and returns the inner reply. */
function openReply(xml: string, key = AES_KEY): Record<string, string> {
  const env = parseReply(xml)
  const { Encrypt, MsgSignature, TimeStamp, Nonce } = env
  expect(Encrypt && MsgSignature && TimeStamp && Nonce).toBeTruthy()
  expect(MsgSignature).toBe(sha1Sorted([TOKEN, TimeStamp ?? '', Nonce ?? '', Encrypt ?? '']))
  expect(TimeStamp).toBe(String(NOW_SECONDS))
  const { message, appId } = wechatDecrypt(Encrypt ?? '', key)
  expect(appId).toBe(APP_ID)
  return parseReply(message)
}

// ---- The door, seen from WeChat ----------------------------------------------------------------

describe('safe mode', () => {
  it('decrypts a message, answers with an encrypted, signed reply', async () => {
    const h = harness({ env: safeModeEnv() })
    const { query, body } = safeRequest(textXml('如何注销账号？'))
    const res = await h.post(body, query)
    expect(res.status).toBe(200)
    expect(res.text).not.toContain('kind:text') // nothing in clear
    const reply = openReply(res.text)
    expect(reply).toMatchObject({ ToUserName: USER, FromUserName: ACCOUNT, MsgType: 'text', Content: 'kind:text' })
    expect(h.assistant.calls[0]).toMatchObject({ kind: 'text', text: '如何注销账号？', userId: USER })
  })

  it('uses a fresh nonce for each reply', async () => {
    const h = harness({ env: safeModeEnv() })
    const a = parseReply((await h.post(...reverse(safeRequest(textXml('a', '1'))))).text)
    const b = parseReply((await h.post(...reverse(safeRequest(textXml('b', '2'))))).text)
    expect(a.Nonce).not.toBe(b.Nonce)
  })

  it('handles compatible mode (plaintext and <Encrypt> side by side) by trusting the cipher text', async () => {
    const h = harness({ env: safeModeEnv() })
    const { query, body } = safeRequest(textXml('兼容模式'), { compatible: true })
    expect(body).toContain('<Content><![CDATA[兼容模式]]></Content>')
    const res = await h.post(body, query)
    expect(openReply(res.text).Content).toBe('kind:text')
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('accepts plaintext POSTs (no encrypt_type) even when a key is configured', async () => {
    const h = harness({ env: safeModeEnv() })
    const res = await h.post(textXml('plain'))
    expect(parseReply(res.text).Content).toBe('kind:text')
  })

  it('opens messages encrypted with the previous key during rotation, replies with the current key', async () => {
    const h = harness({ env: safeModeEnv({ WECHAT_ENCODING_AES_KEY_PREVIOUS: PREVIOUS_AES_KEY }) })
    const { query, body } = safeRequest(textXml('old key'), { key: PREVIOUS_AES_KEY })
    const res = await h.post(body, query)
    expect(res.status).toBe(200)
    expect(openReply(res.text, AES_KEY).Content).toBe('kind:text')
  })

  it('refuses a message encrypted with an unknown key (400) without asking the assistant', async () => {
    const h = harness({ env: safeModeEnv() })
    const res = await h.post(...reverse(safeRequest(textXml('x'), { key: PREVIOUS_AES_KEY })))
    expect(res.status).toBe(400)
    expect(h.assistant.calls).toHaveLength(0)
  })

  it('refuses a message for another AppID with 401', async () => {
    const h = harness({ env: safeModeEnv() })
    const res = await h.post(...reverse(safeRequest(textXml('x'), { appId: 'wxSomeoneElse0000' })))
    expect(res.status).toBe(401)
    expect(res.text).toBe('Unauthorized')
    expect(h.assistant.calls).toHaveLength(0)
  })

  it('refuses a wrong or missing msg_signature with 401', async () => {
    const h = harness({ env: safeModeEnv() })
    const res = await h.post(...reverse(safeRequest(textXml('x'), { badMsgSignature: true })))
    expect(res.status).toBe(401)
    const { body } = safeRequest(textXml('x'))
    const missing = await h.post(body, signedQuery(NOW_SECONDS, { encrypt_type: 'aes' }))
    expect(missing.status).toBe(401)
    expect(h.assistant.calls).toHaveLength(0)
  })

  it('answers 400 when safe mode arrives but no key is configured', async () => {
    const h = harness()
    const res = await h.post(...reverse(safeRequest(textXml('x'))))
    expect(res.status).toBe(400)
    expect(h.assistant.calls).toHaveLength(0)
  })

  it('answers 400 for an envelope without <Encrypt>, or with garbage in it', async () => {
    const h = harness({ env: safeModeEnv() })
    const q = (encrypt: string, nonce = freshNonce()): string =>
      signedQuery(NOW_SECONDS, { encrypt_type: 'aes', msg_signature: sha1Sorted([TOKEN, String(NOW_SECONDS), nonce, encrypt]) }, TOKEN, nonce)
    expect((await h.post('<xml><ToUserName>a</ToUserName></xml>', q(''))).status).toBe(400)
    expect((await h.post('<xml><Encrypt>not*base64</Encrypt></xml>', q('not*base64'))).status).toBe(400)
    expect((await h.post('<xml><Encrypt>QUJD</Encrypt></xml>', q('QUJD'))).status).toBe(400)
    const randomCipher = randomBytes(64).toString('base64')
    expect((await h.post(`<xml><Encrypt>${randomCipher}</Encrypt></xml>`, q(randomCipher))).status).toBe(400)
  })

  it('answers "success" in clear when the assistant has nothing to say', async () => {
    const h = harness({ env: safeModeEnv() })
    const res = await h.post(...reverse(safeRequest(textXml('x').replace('<MsgType><![CDATA[text]]>', '<MsgType><![CDATA[miniprogrampage]]>'))))
    expect(res.text).toBe('success')
  })
})

/** supertest's post(body, query) order from safeRequest's { query, body }. */
function reverse(r: { query: string; body: string }): [string, string] {
  return [r.body, r.query]
}
