import { hash } from 'node:crypto'
import { safeEqual } from '../../safe-equal.js'

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
