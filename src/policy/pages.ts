import type { Lang } from '../lang.js'
import { MAX_REPLY_BYTES, utf8Bytes as bytes } from '../reply-size.js'

/** Texts around the quotes, in the user's language. Nothing here is policy wording. */
export const PAGE_TEXT = {
  zh: {
    lead: (title: string) => `根据我们的隐私政策「${title}」部分（原文）：`,
    continued: (title: string) => `「${title}」部分（续）：`,
    more: '回复“更多”查看其余内容。',
    rest: '（本部分其余内容）',
    restOf: (title: string) => `（「${title}」部分其余内容）`,
    also: (title: string) => `另见「${title}」部分：`,
  },
  en: {
    lead: (title: string) => `From our privacy policy, “${title}”:`,
    continued: (title: string) => `“${title}” (continued):`,
    more: 'Reply “more” for the rest.',
    rest: '(Rest of this section)',
    restOf: (title: string) => `(Rest of “${title}”)`,
    also: (title: string) => `See also “${title}”:`,
  },
} as const

const SEP = '\n\n'
/** Between two list items: a list reads as one block, and the page stays short. */
const BULLET_SEP = '\n'
const isBullet = (s: string): boolean => s.startsWith('• ')

/** Joins page parts with blank lines, except consecutive bullets, which go on consecutive lines. */
export function joinParts(parts: readonly string[]): string {
  let out = ''
  parts.forEach((part, i) => {
    if (i > 0) out += isBullet(part) && isBullet(parts[i - 1]!.slice(parts[i - 1]!.lastIndexOf('\n') + 1)) ? BULLET_SEP : SEP
    out += part
  })
  return out
}

/** Splits text that is too long for a page at sentence ends, then at spaces, then anywhere. */
export function splitToFit(text: string, budget: number): string[] {
  if (bytes(text) <= budget) return [text]
  const pieces = text.split(/(?<=[.;!?。；！？])\s+|\n/u)
  const out: string[] = []
  let cur = ''
  const push = (piece: string): void => {
    const joined = cur ? `${cur} ${piece}` : piece
    if (bytes(joined) <= budget) {
      cur = joined
      return
    }
    if (cur) out.push(cur)
    cur = ''
    if (bytes(piece) <= budget) {
      cur = piece
      return
    }
    // One sentence longer than a page: cut at spaces, or at characters for text without them.
    const words = piece.includes(' ') ? piece.split(' ') : [...piece]
    const glue = piece.includes(' ') ? ' ' : ''
    for (const w of words) {
      const j = cur ? cur + glue + w : w
      if (bytes(j) <= budget) cur = j
      else {
        if (cur) out.push(cur)
        cur = w
      }
    }
  }
  for (const p of pieces) if (p.trim()) push(p.trim())
  if (cur) out.push(cur)
  return out
}

/** A run of text that should stay on one page if possible (a sub-heading with its first paragraph). */
export type Unit = readonly string[]

/**
 * Lays units out on pages of at most MAX_REPLY_BYTES: each page starts with the lead-in (the first)
 * or a "continued" line, and every page but the last ends with the "more" hint. `breakBefore`
 * lists unit positions that must start a new page.
 */
export function paginate(lang: Lang, title: string, units: readonly Unit[], breakBefore: ReadonlySet<number> = new Set()): string[] {
  const t = PAGE_TEXT[lang]
  const hint = SEP + t.more
  const pages: string[][] = []
  let page: string[] = [t.lead(title)]
  const used = (p: string[]): number => bytes(joinParts(p))
  const newPage = (): void => {
    pages.push(page)
    page = [t.continued(title)]
  }
  const room = (p: string[], extra: string): boolean => used([...p, extra]) + bytes(hint) <= MAX_REPLY_BYTES
  units.forEach((unit, ui) => {
    if (breakBefore.has(ui) && page.length > 1) newPage()
    const joined = joinParts(unit)
    if (room(page, joined)) {
      page.push(joined)
      return
    }
    if (page.length > 1 && bytes(joined) <= MAX_REPLY_BYTES - bytes(hint) - bytes(t.continued(title)) - 4) {
      newPage()
      page.push(joined)
      return
    }
    for (const item of unit) {
      const budget = MAX_REPLY_BYTES - bytes(hint) - bytes(t.continued(title)) - bytes(SEP) * 2
      for (const piece of splitToFit(item, budget)) {
        if (!room(page, piece)) newPage()
        page.push(piece)
      }
    }
  })
  pages.push(page)
  const filled = pages.filter((p) => p.length > 1)
  return filled.map((p, i) => joinParts(p) + (i < filled.length - 1 ? hint : ''))
}
