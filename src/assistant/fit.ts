import { MAX_REPLY_BYTES } from '../policy/types.js'

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

/** True when the joined parts fit in one reply. */
export const fits = (s: string, max = MAX_REPLY_BYTES): boolean => utf8Bytes(s) <= max

/**
 * Last line of defence for WeChat's reply size: cuts at a code-point boundary and marks the cut.
 * Callers should size replies themselves; this only guarantees the limit is never exceeded.
 */
export function clipReply(text: string, max = MAX_REPLY_BYTES): string {
  if (utf8Bytes(text) <= max) return text
  const ellipsis = '…'
  let out = ''
  let used = utf8Bytes(ellipsis)
  for (const ch of text) {
    const n = utf8Bytes(ch)
    if (used + n > max) break
    out += ch
    used += n
  }
  return out + ellipsis
}

/** Shortens a value shown inside a summary line. */
export function preview(value: string, maxChars = 80): string {
  const chars = [...value]
  return chars.length <= maxChars ? value : `${chars.slice(0, maxChars).join('')}…`
}

/**
 * The policy's typography made plain for quoting: curly apostrophes (People’s) become straight ones
 * (People's) and the stray no-break spaces inside its sentences ("benefits or discounts") become
 * ordinary spaces — what people type and search for. Same words, same meaning.
 */
export const plainTypography = (text: string): string => text.replace(/[\u2018\u2019]/g, "'").replace(/\u00a0/g, ' ')
