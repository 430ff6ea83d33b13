/** Values the published policy leaves blank, supplied by configuration. */
export interface PolicyFill {
  readonly contactEmail?: string
  readonly updated?: string
  readonly effective?: string
}

/** "Updated date: | Effective date:" — label/value pairs separated by "|". */
const DATE_PART = /^\s*([^:|]{2,40}):\s*([^|]*?)\s*$/u
const DATE_LABEL = /(date|updated|effective|revised|modified|日期|生效|更新)/iu
/** A preposition left hanging where the web page had an e-mail address: "send your inquiries to via email". */
const EMAIL_BLANK = /\b(to|at)\s+(?=(?:via|by|or|and|for)\b|[.,;:)])/giu
const MENTIONS_MAIL = /e-?mail|mail/iu
/** A line such as "Email:" with nothing after it. */
const EMPTY_EMAIL_LINE = /^(\s*e-?mail(?: address)?\s*[:：])\s*$/imu

function fillDateLine(block: string, fill: PolicyFill): string | null | undefined {
  if (block.includes('\n')) return undefined
  const parts = block.split('|').map((p) => DATE_PART.exec(p))
  if (!parts.every((m) => m !== null && DATE_LABEL.test(m[1]!))) return undefined
  const kept: string[] = []
  for (const m of parts) {
    const label = m![1]!.trim()
    let value = m![2]!.trim()
    if (!value) value = (/effective|生效/iu.test(label) ? fill.effective : fill.updated) ?? ''
    if (value) kept.push(`${label}: ${value}`)
  }
  return kept.length ? kept.join(' | ') : null
}

/**
 * Fills the blanks of one block from configuration, or, when a value is not configured,
 * rewrites the sentence minimally so it never reads broken ("to via email" → "to us via email").
 * Returns null when the block has nothing left to say (an all-blank date line).
 */
export function fillBlanks(block: string, fill: PolicyFill): string | null {
  const date = fillDateLine(block, fill)
  if (date !== undefined) return date
  let out = block
  if (MENTIONS_MAIL.test(out)) {
    out = out.replace(EMAIL_BLANK, (_m, prep: string) => {
      if (fill.contactEmail) return `${prep} ${fill.contactEmail} `
      return prep.toLowerCase() === 'to' ? `${prep} us ` : ''
    })
    out = out.replace(/ +([.,;:)])/g, '$1').replace(/ {2,}/g, ' ')
  }
  if (EMPTY_EMAIL_LINE.test(out)) {
    out = fill.contactEmail
      ? out.replace(EMPTY_EMAIL_LINE, `$1 ${fill.contactEmail}`)
      : out.replace(EMPTY_EMAIL_LINE, '').replace(/\n{2,}/g, '\n').trim()
  }
  return out.trim() ? out : null
}
