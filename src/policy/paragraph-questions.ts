import { z } from 'zod'
import type { PolicySection } from './types.js'
import { fillBlanks, type PolicyFill } from './fill.js'

/**
 * Questions each paragraph answers (data/paragraph-questions.json), written by staff in Chinese and
 * English, like a FAQ's alternate questions. A paragraph is named by a phrase copied from it, so the
 * file survives edits elsewhere in the policy; a phrase no paragraph holds any more (a new policy
 * version) only loses its questions, and that paragraph is still found by its own words.
 */
const schema = z.object({
  paragraphs: z.array(
    z.object({
      quote: z.string().trim().min(1),
      zh: z.array(z.string()).default([]),
      en: z.array(z.string()).default([]),
    }),
  ),
})

/** The file as staff write it. */
export type ParagraphQuestionsData = z.input<typeof schema>

/** Questions attached to one block of the parsed policy. */
export interface BlockQuestions {
  readonly section: number
  readonly pos: number
  readonly questions: readonly string[]
}

/** Checks a parsed paragraph-questions file; throws with the first problem found. */
export function validateParagraphQuestions(data: unknown): z.output<typeof schema> {
  const result = schema.safeParse(data)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new Error(`Invalid paragraph questions: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim())
  }
  return result.data
}

/** Straight quotes, plain spaces, one space for any run of blanks: how a phrase copied from a web page is compared. */
export function normalizeQuote(text: string): string {
  return text.replace(/[’‘]/g, "'").replace(/[“”]/g, '"').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim()
}

/**
 * Attaches each entry's questions to the first block containing its quote. The quote is compared as
 * written and with the policy's blanks filled the way the parser fills them ("send your inquiries to
 * via email" reads "… to us via email" in the parsed policy). Problems go to `warn`, never stop start-up.
 */
export function attachQuestions(
  sections: readonly PolicySection[],
  data: unknown,
  fill: PolicyFill,
  warn: (message: string) => void,
): BlockQuestions[] {
  const file = validateParagraphQuestions(data)
  const blocks = sections.flatMap((s, section) => s.blocks.map((text, pos) => ({ section, pos, text: normalizeQuote(text) })))
  const byBlock = new Map<string, { section: number; pos: number; questions: string[] }>()
  for (const entry of file.paragraphs) {
    const forms = [...new Set([entry.quote, fillBlanks(entry.quote, fill) ?? entry.quote].map(normalizeQuote))]
    const found = blocks.filter((b) => forms.some((f) => b.text.includes(f)))
    const first = found[0]
    if (!first) {
      warn(`paragraph questions: no paragraph of the policy contains "${entry.quote}"; its questions are not used`)
      continue
    }
    if (found.length > 1) {
      warn(`paragraph questions: ${found.length} paragraphs contain "${entry.quote}"; its questions go to the first ("${sections[first.section]!.title}")`)
    }
    const key = `${first.section}:${first.pos}`
    const target = byBlock.get(key) ?? { section: first.section, pos: first.pos, questions: [] }
    for (const q of [...entry.zh, ...entry.en]) if (q.trim()) target.questions.push(q.trim())
    byBlock.set(key, target)
  }
  return [...byBlock.values()].filter((b) => b.questions.length > 0)
}
