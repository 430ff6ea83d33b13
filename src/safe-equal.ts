import { timingSafeEqual } from 'node:crypto'

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
