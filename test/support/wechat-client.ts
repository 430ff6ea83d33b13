/**
 * Speaks to the service as WeChat's servers do: signed query strings, XML bodies, and safe-mode
 * (AES) envelopes built here with node:crypto alone, independently of src/.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt } from 'node:crypto'

export interface WechatClientOptions {
  baseUrl: string
  token: string
  appId?: string
  encodingAesKey?: string
  account?: string
}

const sha1 = (parts: string[]): string => createHash('sha1').update([...parts].sort().join('')).digest('hex')
const cd = (s: string): string => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`

function aesKey(encodingAesKey: string): Buffer {
  return Buffer.from(`${encodingAesKey}=`, 'base64')
}

/** WeChat's safe-mode layout: random(16) | length(4, big-endian) | message | AppID, PKCS#7 to 32 bytes, AES-256-CBC. */
export function wechatEncrypt(message: string, encodingAesKey: string, appId: string): string {
  const key = aesKey(encodingAesKey)
  const msg = Buffer.from(message)
  const len = Buffer.alloc(4)
  len.writeUInt32BE(msg.length)
  const plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(appId)])
  const pad = 32 - (plain.length % 32)
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64')
}

function decrypt(encrypted: string, encodingAesKey: string): { message: string; appId: string } {
  const key = aesKey(encodingAesKey)
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()])
  const plain = padded.subarray(0, padded.length - padded[padded.length - 1]!)
  const len = plain.readUInt32BE(16)
  return { message: plain.subarray(20, 20 + len).toString(), appId: plain.subarray(20 + len).toString() }
}

const field = (xml: string, name: string): string | undefined => {
  const m = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml)
  return m ? (m[1] ?? m[2]) : undefined
}

let msgSeq = 0
let nonceSeq = 0

/**
 * A nonce of its own for every request, as WeChat signs each message afresh: the service accepts a
 * signature (timestamp + nonce) for one message only. The counter keeps this process's nonces
 * apart, the fixed-width random tail other processes'.
 */
export function freshNonce(): string {
  return `${++nonceSeq}${String(randomInt(1_000_000)).padStart(6, '0')}`
}

export class WechatClient {
  constructor(private readonly o: WechatClientOptions) {}

  private query(extra: Record<string, string> = {}): { q: URLSearchParams; timestamp: string; nonce: string } {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const nonce = freshNonce()
    const q = new URLSearchParams({ signature: sha1([this.o.token, timestamp, nonce]), timestamp, nonce, ...extra })
    return { q, timestamp, nonce }
  }

  /** Posts a raw message document; safe mode wraps it when an EncodingAESKey is set. Returns status and the reply's Content. */
  async post(inner: string, openid: string): Promise<{ status: number; content?: string; body: string }> {
    if (!this.o.encodingAesKey) {
      const { q } = this.query({ openid })
      const res = await fetch(`${this.o.baseUrl}/wechat?${q}`, { method: 'POST', body: inner, headers: { 'content-type': 'text/xml' } })
      const body = await res.text()
      return { status: res.status, body, content: field(body, 'Content') }
    }
    const enc = wechatEncrypt(inner, this.o.encodingAesKey, this.o.appId ?? '')
    const { q, timestamp, nonce } = this.query({ openid, encrypt_type: 'aes' })
    q.set('msg_signature', sha1([this.o.token, timestamp, nonce, enc]))
    const envelope = `<xml><ToUserName>${cd(this.o.account ?? 'gh_jiku')}</ToUserName><Encrypt>${cd(enc)}</Encrypt></xml>`
    const res = await fetch(`${this.o.baseUrl}/wechat?${q}`, { method: 'POST', body: envelope, headers: { 'content-type': 'text/xml' } })
    const body = await res.text()
    const replyEnc = field(body, 'Encrypt')
    if (!replyEnc) return { status: res.status, body }
    const sig = sha1([this.o.token, field(body, 'TimeStamp') ?? '', field(body, 'Nonce') ?? '', replyEnc])
    if (sig !== field(body, 'MsgSignature')) throw new Error('reply msg_signature does not verify')
    const { message, appId } = decrypt(replyEnc, this.o.encodingAesKey)
    if (appId !== this.o.appId) throw new Error(`reply AppID ${appId} is not ours`)
    return { status: res.status, body: message, content: field(message, 'Content') }
  }

  /** Sends a text message from `openid` and returns the reply text ('' when the service said nothing). */
  async text(openid: string, content: string): Promise<string> {
    const ts = Math.floor(Date.now() / 1000)
    const msgId = `${Date.now()}${String(++msgSeq).padStart(6, '0')}`
    const inner = `<xml><ToUserName>${cd(this.o.account ?? 'gh_jiku')}</ToUserName><FromUserName>${cd(openid)}</FromUserName><CreateTime>${ts}</CreateTime><MsgType>${cd('text')}</MsgType><Content>${cd(content)}</Content><MsgId>${msgId}</MsgId></xml>`
    const r = await this.post(inner, openid)
    if (r.status !== 200) throw new Error(`status ${r.status}: ${r.body}`)
    return r.content ?? ''
  }
}
