import type { PolicySection } from './types.js'
import { fillBlanks, type PolicyFill } from './fill.js'

export type { PolicyFill } from './fill.js'

/** The result of parsing a policy text. */
export interface ParsedPolicy {
  /** The document title (its first line). */
  readonly title: string
  /** Blocks between the title and the first heading, e.g. the filled date line. */
  readonly preamble: readonly string[]
  /** Top-level sections and their sub-sections, in document order. */
  readonly sections: PolicySection[]
}

/** A paragraph of the source: its lines, and whether its last line had trailing spaces (the heading mark). */
interface RawParagraph {
  readonly lines: string[]
  readonly trailingSpace: boolean
}

const NBSP_OR_SPACE_END = /[\s\u00a0]+$/u
const BULLET = /^\s*[•·▪◦\-–*]\s+/u
const MAX_HEADING_CHARS = 100
const MAX_HEADING_WORDS = 14
/** Website leftovers that follow the policy when it is copied from a web page. */
const RESIDUE = /(QR ?code|follow us on|scan (the|this) code|all rights reserved|©|copyright|back to top|扫码|二维码|关注我们)/iu

/** Turns a heading into a stable id: "How we store your data" → "how-we-store-your-data". */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
  return slug || 'section'
}

function splitParagraphs(text: string): RawParagraph[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const out: RawParagraph[] = []
  let current: string[] = []
  let trailing = false
  const flush = (): void => {
    if (current.length) out.push({ lines: current, trailingSpace: trailing })
    current = []
  }
  for (const raw of lines) {
    if (raw.replace(/[\s\u00a0]/gu, '') === '') {
      flush()
      continue
    }
    // A bullet always starts its own block even without a blank line before it.
    if (BULLET.test(raw) && current.length) flush()
    trailing = NBSP_OR_SPACE_END.test(raw)
    current.push(raw.replace(NBSP_OR_SPACE_END, ''))
  }
  flush()
  return out
}

function looksLikeHeadingLine(line: string): boolean {
  const t = line.trim()
  if (!t || t.length > MAX_HEADING_CHARS || BULLET.test(line)) return false
  if (t.split(/\s+/).length > MAX_HEADING_WORDS) return false
  return !/[.;,。；，]$/u.test(t)
}

const SENTENCE_START = /^(we|you|i|they|it|this|these|those|our|your|if|when|please|in|for|to|as|the)\b/i

/**
 * A label such as "Essential cookies (managed by Jiku):" — short, ends with a colon, and does not
 * start like a sentence ("We use two categories of cookies on our website:" introduces a list).
 */
function isColonLabel(line: string): boolean {
  const t = line.trim()
  return /:$/.test(t) && looksLikeHeadingLine(t.slice(0, -1)) && t.split(/\s+/).length <= 8 && !SENTENCE_START.test(t)
}

interface Candidate {
  readonly para: RawParagraph
  readonly heading: boolean
  readonly label: boolean
}

/**
 * Parses a plain-text privacy policy as copied from its web page. Headings are single-line
 * paragraphs without final punctuation; when some headings carry the page's trailing
 * non-breaking space, that mark is required, so ordinary short lines stay text. A run of
 * headings right after an intro ending with ":" becomes sub-sections of the current section.
 */
export function parsePolicy(text: string, fill: PolicyFill = {}): ParsedPolicy {
  const paras = splitParagraphs(text)
  // Drop website residue at the end of the document.
  while (paras.length && RESIDUE.test(paras[paras.length - 1]!.lines.join(' '))) paras.pop()
  const titlePara = paras.shift()
  const title = titlePara?.lines.join(' ').trim() ?? ''

  const single = (p: RawParagraph): boolean => p.lines.length === 1
  const marked = paras.some((p) => single(p) && p.trailingSpace && looksLikeHeadingLine(p.lines[0]!))
  const cands: Candidate[] = paras.map((p) => {
    const line = p.lines[0]!
    const heading = single(p) && looksLikeHeadingLine(line) && !/:$/.test(line) && (!marked || p.trailingSpace || /\?$/.test(line))
    return { para: p, heading, label: single(p) && isColonLabel(line) }
  })

  const preamble: string[] = []
  const sections: PolicySection[] = []
  const ids = new Set<string>()
  let top: { id: string; title: string; blocks: string[] } | undefined
  let sub: { id: string; title: string; blocks: string[]; parentId: string } | undefined
  /** True after an intro ending with ":" until the run of sub-headings ends. */
  let childMode = false
  let childShapeColon: boolean | undefined
  const uniqueId = (t: string): string => {
    let id = slugify(t)
    for (let n = 2; ids.has(id); n++) id = `${slugify(t)}-${n}`
    ids.add(id)
    return id
  }
  const bodyLength = (from: number): { blocks: number; bullets: boolean } => {
    let blocks = 0
    let bullets = false
    for (let j = from + 1; j < cands.length && !cands[j]!.heading && !(childMode && cands[j]!.label); j++) {
      blocks++
      if (BULLET.test(cands[j]!.para.lines[0]!)) bullets = true
    }
    return { blocks, bullets }
  }

  for (let i = 0; i < cands.length; i++) {
    const c = cands[i]!
    const line = c.para.lines[0]!.trim()
    const prevBlock = sub?.blocks.at(-1) ?? top?.blocks.at(-1)
    const afterIntro = prevBlock !== undefined && /:$/.test(prevBlock) && !BULLET.test(prevBlock)
    if (afterIntro && (c.heading || c.label) && top) childMode = true

    const isSubHeading =
      childMode && top !== undefined && (c.heading || c.label) && (childShapeColon === undefined || childShapeColon === c.label) &&
      (c.label || (() => { const b = bodyLength(i); return b.blocks <= 2 && !b.bullets && !/\?$/.test(line) })())

    if (isSubHeading && top) {
      childShapeColon ??= c.label
      sub = { id: uniqueId(line), title: line, blocks: [], parentId: top.id }
      sections.push(sub as PolicySection)
      continue
    }
    if (c.heading) {
      childMode = false
      childShapeColon = undefined
      sub = undefined
      top = { id: uniqueId(line), title: line, blocks: [] }
      sections.push(top as PolicySection)
      continue
    }
    const block = fillBlanks(c.para.lines.join('\n'), fill)
    if (block === null) continue
    const bulletFree = block.replace(BULLET, '')
    const text = BULLET.test(block) ? `• ${bulletFree}` : block
    if (sub) sub.blocks.push(text)
    else if (top) top.blocks.push(text)
    else preamble.push(text)
  }
  return { title, preamble, sections }
}
