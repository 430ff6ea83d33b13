import { randomInt } from 'node:crypto'
import type { WechatCrypto } from './crypto.js'
import { malformed, unauthorized } from './errors.js'
import { messageSignature, verifyMessageSignature } from './signature.js'
import { buildEncryptedReplyXml, parseWechatXml, type WechatFields } from './xml.js'

/** The query values that authenticate a safe-mode body. */
export interface EnvelopeQuery {
  readonly timestamp: string
  readonly nonce: string
  readonly msgSignature: string | undefined
}

/**
 * Opens a safe-mode (or compatible-mode) request: verifies `msg_signature` over the <Encrypt>
 * value, decrypts it (current key, then previous) and parses the inner message. In compatible
 * mode the plaintext copy beside <Encrypt> is ignored: only the signed cipher text is trusted.
 * Throws WechatProtocolError (401 signature/AppID, 400 malformed).
 */
export function openEnvelope(
  outer: WechatFields,
  crypto: WechatCrypto,
  token: string,
  query: EnvelopeQuery,
): { fields: WechatFields; key: 'current' | 'previous' } {
  const encrypt = outer.Encrypt
  if (encrypt === undefined || encrypt === '') throw malformed('encrypt-missing')
  if (!query.msgSignature) throw unauthorized('msg-signature-missing')
  if (!verifyMessageSignature(token, query.timestamp, query.nonce, encrypt, query.msgSignature)) {
    throw unauthorized('bad-msg-signature')
  }
  const opened = crypto.decrypt(encrypt)
  return { fields: parseWechatXml(opened.message), key: opened.key }
}

/** A fresh numeric nonce, as WeChat's own samples use. */
function newNonce(): string {
  return String(randomInt(100_000_000, 10_000_000_000))
}

/** Encrypts a reply and wraps it in a signed envelope with a new timestamp and nonce. */
export function sealReply(replyXml: string, crypto: WechatCrypto, token: string, now: Date): string {
  const encrypt = crypto.encrypt(replyXml)
  const timestamp = String(Math.floor(now.getTime() / 1000))
  const nonce = newNonce()
  return buildEncryptedReplyXml({
    encrypt,
    timestamp,
    nonce,
    msgSignature: messageSignature(token, timestamp, nonce, encrypt),
  })
}
