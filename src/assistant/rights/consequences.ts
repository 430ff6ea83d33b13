import type { Lang } from '../../lang.js'
import type { PolicyStore } from '../../policy/types.js'
import type { RightType } from '../../requests/model.js'
import { preview } from '../fit.js'
import * as texts from './texts.js'

// Sentences of the policy that state what follows a request, found by their wording so another policy
// with the same kind of clause works too.
const CLAUSES: Partial<Record<RightType, RegExp>> = {
  delete: /\b(?:request|ask\s+for)\s+(?:the\s+)?(?:deletion|erasure)\b|\bonce\s+your\s+data\s+is\s+deleted\b/i,
  object: /\bright\s+to\s+object\b/i,
}

/** Quotes the policy's own words on what follows from a request of this type (only for those that have consequences). */
export function consequenceNotice(policy: PolicyStore, type: RightType, lang: Lang): string | undefined {
  const pattern = CLAUSES[type]
  const quoted = pattern
    ? policy
        .sections()
        .flatMap((s) => s.blocks)
        .find((b) => pattern.test(b))
    : undefined
  const quote = quoted ? `${texts.consequenceHeading(lang)}\n“${preview(quoted, 600)}”` : undefined
  if (type === 'delete') return quote
  if (type === 'object') return [quote, texts.objectEffect(lang)].filter(Boolean).join('\n')
  if (type === 'withdraw-consent') return texts.withdrawEffect(lang)
  return undefined
}
