import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto'
import { malformed, unauthorized } from './errors.js'

/** WeChat pads to 32-byte blocks (not AES's 16), so Node's automatic PKCS#7 cannot be used. */
const PAD_BLOCK = 32
const RANDOM_PREFIX = 16
const LENGTH_FIELD = 4
/** Fatal decoding: a wrong key yields garbage bytes, which must fail rather than become U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The 32-byte AES key: base64decode(EncodingAESKey + "="). Throws on a key of the wrong shape. */
export function decodeAesKey(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) throw new Error('EncodingAESKey must be 43 base64 characters')
  const key = Buffer.from(`${encodingAesKey}=`, 'base64')
  if (key.length !== 32) throw new Error('EncodingAESKey must decode to 32 bytes')
  return key
}

/** PKCS#7 padding to WeChat's 32-byte block: always 1..32 bytes, each equal to the pad length. */
export function pkcs7PadLength(length: number, block = PAD_BLOCK): number {
  return block - (length % block)
}

/** Removes and validates PKCS#7 padding; undefined when the padding is not well formed. */
export function pkcs7Unpad(data: Buffer, block = PAD_BLOCK): Buffer | undefined {
  const n = data.at(-1)
  if (n === undefined || n < 1 || n > block || n > data.length) return undefined
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return undefined
  return data.subarray(0, data.length - n)
}

/** What a safe-mode envelope contained. */
export interface Decrypted {
  readonly message: string
  readonly appId: string
  /** Which key opened it; `previous` means WeChat still uses the old key (rotation in progress). */
  readonly key: 'current' | 'previous'
}

/** Keys and AppID for safe mode, straight from Config. */
export interface WechatCryptoOptions {
  readonly encodingAesKey: string
  readonly encodingAesKeyPrevious?: string
  readonly appId: string
}

/** Decrypts with one key; undefined when the cipher text does not open into WeChat's layout. */
function openWith(key: Buffer, cipherText: Buffer): { message: string; appId: string } | undefined {
  let plain: Buffer
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16))
    decipher.setAutoPadding(false)
    plain = Buffer.concat([decipher.update(cipherText), decipher.final()])
  } catch {
    return undefined
  }
  const content = pkcs7Unpad(plain)
  if (!content || content.length < RANDOM_PREFIX + LENGTH_FIELD) return undefined
  const length = content.readUInt32BE(RANDOM_PREFIX)
  const start = RANDOM_PREFIX + LENGTH_FIELD
  if (length > content.length - start) return undefined
  try {
    return {
      message: utf8.decode(content.subarray(start, start + length)),
      appId: utf8.decode(content.subarray(start + length)),
    }
  } catch {
    return undefined
  }
}

/**
 * Random prefixes for replies, cut from a pooled CSPRNG buffer (as Node does for randomUUID): one
 * fill serves 256 replies for far less than 256 small randomBytes calls. Every refill is a new
 * buffer, so a prefix handed out earlier is never overwritten.
 */
const POOL_BYTES = 4096
let pool = Buffer.alloc(0)
let poolOffset = 0

function randomPrefix(): Buffer {
  if (poolOffset + RANDOM_PREFIX > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES))
    poolOffset = 0
  }
  const prefix = pool.subarray(poolOffset, poolOffset + RANDOM_PREFIX)
  poolOffset += RANDOM_PREFIX
  return prefix
}

/**
 * WeChat's safe-mode message crypto (消息加解密): AES-256-CBC with IV = key[0..16], PKCS#7 to
 * 32-byte blocks, plaintext = 16 random bytes | 4-byte big-endian length | message | AppID.
 */
export class WechatCrypto {
  readonly #current: Buffer
  readonly #previous: Buffer | undefined
  readonly #appId: string

  constructor(options: WechatCryptoOptions) {
    this.#current = decodeAesKey(options.encodingAesKey)
    this.#previous = options.encodingAesKeyPrevious ? decodeAesKey(options.encodingAesKeyPrevious) : undefined
    this.#appId = options.appId
  }

  /** Encrypts a reply with the current key; returns the base64 `Encrypt` value. */
  encrypt(message: string, random: Buffer = randomPrefix()): string {
    if (random.length !== RANDOM_PREFIX) throw new Error('random prefix must be 16 bytes')
    // The whole plaintext is laid out in one buffer: prefix | length | message | AppID | padding.
    const bodyLength = Buffer.byteLength(message, 'utf8')
    const unpadded = RANDOM_PREFIX + LENGTH_FIELD + bodyLength + Buffer.byteLength(this.#appId, 'utf8')
    const pad = pkcs7PadLength(unpadded)
    const plain = Buffer.allocUnsafe(unpadded + pad)
    random.copy(plain, 0)
    plain.writeUInt32BE(bodyLength, RANDOM_PREFIX)
    plain.write(message, RANDOM_PREFIX + LENGTH_FIELD, 'utf8')
    plain.write(this.#appId, RANDOM_PREFIX + LENGTH_FIELD + bodyLength, 'utf8')
    plain.fill(pad, unpadded)
    const cipher = createCipheriv('aes-256-cbc', this.#current, this.#current.subarray(0, 16))
    cipher.setAutoPadding(false)
    // Block-aligned and unpadded by the cipher, so final() adds nothing; it still checks the state.
    const head = cipher.update(plain)
    const tail = cipher.final()
    return (tail.length === 0 ? head : Buffer.concat([head, tail])).toString('base64')
  }

  /**
   * Opens an `Encrypt` value with the current key, then the previous one (key rotation).
   * Throws WechatProtocolError: 400 when no key opens it, 401 when it opens but names another AppID.
   */
  decrypt(encrypt: string): Decrypted {
    const trimmed = encrypt.trim()
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw malformed('encrypt-not-base64')
    const cipherText = Buffer.from(trimmed, 'base64')
    if (cipherText.length === 0 || cipherText.length % 16 !== 0) throw malformed('encrypt-bad-length')

    let foreignAppId = false
    const keys: Array<[Decrypted['key'], Buffer | undefined]> = [
      ['current', this.#current],
      ['previous', this.#previous],
    ]
    for (const [name, key] of keys) {
      if (!key) continue
      const opened = openWith(key, cipherText)
      if (!opened) continue
      if (opened.appId === this.#appId) return { ...opened, key: name }
      foreignAppId = true
    }
    throw foreignAppId ? unauthorized('appid-mismatch') : malformed('decrypt-failed')
  }
}
