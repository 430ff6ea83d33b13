import { hash, timingSafeEqual } from 'node:crypto'

/**
 * WeChat's request signature: sha1 over the parts sorted lexicographically (as strings, by code
 * unit — what WeChat's own samples do with a plain sort) and concatenated, as lowercase hex.
 */
export function sha1Signature(parts: readonly string[]): string {
  // One-shot hash(): no Hash object per call, about a third of createHash's cost on short input.
  return hash('sha1', [...parts].sort().join(''), 'hex')
}

/** `signature` query parameter: sha1 of the sorted [token, timestamp, nonce]. */
export function requestSignature(token: string, timestamp: string, nonce: string): string {
  return sha1Signature([token, timestamp, nonce])
}

/** `msg_signature` in safe mode: sha1 of the sorted [token, timestamp, nonce, encrypt]. */
export function messageSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sha1Signature([token, timestamp, nonce, encrypt])
}

/**
 * Constant-time comparison, so a forger cannot learn the signature byte by byte from response
 * times. Different lengths are simply unequal (timingSafeEqual would throw).
 */
export function safeEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(provided, 'utf8')
  if (a.length !== b.length) return false
  return timingSafeEqual(a, b)
}

/** True when `provided` is the `signature` WeChat would send for these values. */
export function verifyRequestSignature(
  token: string,
  timestamp: string,
  nonce: string,
  provided: string,
): boolean {
  return safeEqual(requestSignature(token, timestamp, nonce), provided.toLowerCase())
}

/** True when `provided` is the `msg_signature` WeChat would send for this cipher text. */
export function verifyMessageSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
  provided: string,
): boolean {
  return safeEqual(messageSignature(token, timestamp, nonce, encrypt), provided.toLowerCase())
}
