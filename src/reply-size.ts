/** WeChat reports failures for text replies above about 2048 bytes: the one home of that limit. */
export const MAX_REPLY_BYTES = 2048

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

/** True when the text fits in one reply. */
export const fits = (s: string, max = MAX_REPLY_BYTES): boolean => utf8Bytes(s) <= max

/**
 * Last line of defence for the reply size: cuts at a code-point boundary and marks the cut with "…".
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
