/**
 * How personal data looks in free text: the one home of these patterns, used to pick contact
 * details out of a conversation and to mask them wherever text is kept for other eyes.
 */

export const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/
/** Mainland mobile numbers (optionally +86). */
export const CN_MOBILE = /(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/
/** An international number in E.164 form. */
export const INTL_PHONE = /(?<![\d])\+(?!86)[1-9]\d(?:[\s-]?\d){5,13}(?!\d)/
/** A mainland resident ID card number (18 characters, the last may be X). */
export const CN_ID_CARD = /(?<![\dA-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/
/** A name the person labels as theirs: "我叫张三", "my name is Ann Lee", "姓名：李四". */
export const NAME_LABELED =
  /(?:我叫|我是|我的名字是|名字是|名字叫|姓名是?|真实姓名|全名|(?<![\p{L}]|company\s)(?:my\s+(?:full\s+)?name\s+is|full\s+name|name|i\s+am|i'm))\s*[:：]?\s*([\p{L}\p{M}·.'’ -]{1,60}?)(?=$|[,，。;；\n]|\s+(?:and|my|email|phone|e-mail|邮箱|电话|手机|公司|company)\b|(?:邮箱|电话|手机|公司))/iu
/** Any other long run of digits (an order, bank card or landline number): nothing to learn from it. */
const LONG_DIGITS = /\d(?:[\s-]?\d){5,}/g

const global = (re: RegExp): RegExp => new RegExp(re.source, `${re.flags.replace('g', '')}g`)
const MASKS: readonly [RegExp, string][] = [
  [global(EMAIL_IN_TEXT), '[email]'],
  [global(CN_ID_CARD), '[id]'],
  [global(CN_MOBILE), '[phone]'],
  [global(INTL_PHONE), '[phone]'],
  [LONG_DIGITS, '[number]'],
]
/**
 * Masking cannot use NAME_LABELED as it stands: its bare "name" and "I am" read too much of a question
 * ("I am worried about…") as a name. Only explicit labels, and only what a name can be after them.
 */
const LABELED_NAME = /(?:我叫|我的名字是|名字是|名字叫|姓名是?\s*[:：]?|真实姓名|全名|\bmy\s+(?:full\s+)?name\s+is|\bname\s*:)\s*((?:\p{Script=Han}|·){1,4}|[A-Z][\p{L}'’-]*(?:\s+[A-Z][\p{L}'’-]*){0,2})/gu

/**
 * The text with e-mail addresses, phone and ID-card numbers, other long numbers and labelled names
 * replaced by placeholders. A name nobody labels ("张三想问…") cannot be told from other words; text
 * kept this way must still never be linked to who wrote it.
 */
export function maskPersonalData(text: string): string {
  let out = text
  for (const [re, mask] of MASKS) out = out.replace(re, mask)
  // Only the name itself: "我叫张三，想问…" keeps "我叫" and the question.
  return out.replace(LABELED_NAME, (whole, name: string) => (name.trim().length === 0 ? whole : whole.replace(name.trim(), '[name]')))
}
