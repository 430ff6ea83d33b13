import { createHash } from 'node:crypto'

/**
 * SHA-256 of a text, in hex: how a secret or an identity is kept where only equality matters
 * (console sessions by their secret, WeChat retry claims and rate-limit buckets by the person).
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}
