import type { Lang } from '../../lang.js'
import type { PolicyStore } from '../../policy/types.js'
import type { RightType } from '../../requests/model.js'
import { plainTypography, preview } from '../quote-text.js'
import * as texts from './texts.js'

// Sentences of the policy that state what follows a request, found by their wording so another policy
// with the same kind of clause works too.
const CLAUSES: Partial<Record<RightType, RegExp>> = {
  delete: /\b(?:request|ask\s+for)\s+(?:the\s+)?(?:deletion|erasure)\b|\bonce\s+your\s+data\s+is\s+deleted\b/i,
  object: /\bright\s+to\s+object\b/i,
}

/** Quotes the policy's own words on what follows from a request of this type (only for those that have consequences). */
export function consequenceNotice(policy: PolicyStore, type: RightType, lang: Lang): string | undefined {
  const quoted = clauseOf(policy, type)
  const quote = quoted ? `${texts.consequenceHeading(lang)}\n“${plainTypography(preview(quoted, 600))}”` : undefined
  if (type === 'delete') return quote
  if (type === 'object') return [quote, texts.objectEffect(lang)].filter(Boolean).join('\n')
  if (type === 'withdraw-consent') return texts.withdrawEffect(lang)
  return undefined
}

// The policy never changes while the service runs, and a request starts every few messages: what is
// found in it is remembered, by policy and by what was looked for.
const found = new WeakMap<PolicyStore, Map<string, string | undefined>>()

function remembered(policy: PolicyStore, key: string, find: () => string | undefined): string | undefined {
  const known = found.get(policy) ?? new Map<string, string | undefined>()
  found.set(policy, known)
  if (!known.has(key)) known.set(key, find())
  return known.get(key)
}

/** The block of the policy that states what follows a request of this type, if any. */
function clauseOf(policy: PolicyStore, type: RightType): string | undefined {
  const pattern = CLAUSES[type]
  return pattern ? remembered(policy, `clause:${type}`, () => policy.sections().flatMap((s) => s.blocks).find((b) => pattern.test(b))) : undefined
}

/** The sentence of the policy that matches, quoted exactly (typography made plain), or undefined. */
function policySentence(policy: PolicyStore, pattern: RegExp): string | undefined {
  return remembered(policy, `sentence:${pattern}`, () => findSentence(policy, pattern))
}

function findSentence(policy: PolicyStore, pattern: RegExp): string | undefined {
  for (const block of policy.sections().flatMap((sec) => sec.blocks)) {
    const sentence = block.match(/[^.!?]+[.!?]/g)?.find((s) => pattern.test(s)) ?? (pattern.test(block) ? block : undefined)
    if (sentence) return plainTypography(sentence.trim())
  }
  return undefined
}

/** The policy's own statement of the rights a person has, shown when a request starts. */
export function rightsStatement(policy: PolicyStore, lang: Lang): string | undefined {
  const sentence = policySentence(policy, /\bhave the right to\b.*\b(?:access|delete|correct)\b/i)
  return sentence ? `${texts.policySays(lang)}“${preview(sentence, 400)}”` : undefined
}

/** The policy's own words on opting out of marketing, shown with the opt-out confirmation. */
export function optOutStatement(policy: PolicyStore, lang: Lang): string | undefined {
  const sentence = policySentence(policy, /\bopt[\s-]?out\b/i)
  return sentence ? `${texts.policySays(lang)}“${preview(sentence, 300)}”` : undefined
}
