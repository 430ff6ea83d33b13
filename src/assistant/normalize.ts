import { toSimplified } from '../policy/traditional-chinese.js'

/** Longest message text the assistant looks at; anything beyond is ignored (WeChat caps text near 2k chars anyway). */
export const MAX_TEXT_CHARS = 2000

// C0/C1 controls except tab/newline, bidi overrides and zero-width characters: they only hide text.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * User text as it is kept (complaints, messages to staff, staff replies): invisible and control
 * characters removed, whitespace collapsed, length capped, the person's own punctuation untouched.
 * Lone surrogates (garbled input) are replaced rather than allowed to break later encoding.
 */
export function cleanText(raw: string): string {
  return raw
    .slice(0, MAX_TEXT_CHARS * 2)
    .replace(INVISIBLE, '')
    .replace(/[ \t\r\f\v\u3000]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .slice(0, MAX_TEXT_CHARS)
    .replace(LONE_SURROGATE, '\uFFFD')
}

/** The form used for recognising words: cleanText plus NFKC, so full-width "１" is "1" and "／list" is "/list". */
export function normalizeText(raw: string): string {
  return cleanText(raw).normalize('NFKC')
}

const STRIP_PUNCT = /[\s.!！。?？,，、~～…:：;；"“”'‘’()（）【】\[\]<>《》]+/g

/**
 * A short command word as typed ("帮助！", " Help. ") reduced to its bare lower-case form. Traditional
 * characters become simplified ones, so "確認", "繼續" and "幫助" are the same words as "确认", "继续", "帮助".
 */
export function commandWord(text: string): string {
  // Reading one message asks for its command word a dozen times (yes? no? skip? cancel? …).
  if (text !== lastText) {
    lastText = text
    lastWord = toSimplified(text.replace(STRIP_PUNCT, '').toLowerCase())
  }
  return lastWord
}
let lastText = ''
let lastWord = ''

