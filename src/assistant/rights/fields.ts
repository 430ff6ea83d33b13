import { z } from 'zod'
import { CN_MOBILE, EMAIL_IN_TEXT, INTL_PHONE, NAME_LABELED } from '../../personal-data.js'
import { isControlWord, isQuestion } from './intents.js'

/** What a request collects from the requester. `details` keys depend on the right (see DETAILS_NEEDED in conversation.ts). */
export interface CollectedFields {
  name?: string
  email?: string
  phone?: string
  company?: string
  /** Set when the requester chose not to give a company, so it is not asked again. */
  companySkipped?: boolean
  details: Record<string, string>
}

const emailSchema = z.email()
export function validEmail(s: string): string | undefined {
  const t = s.trim()
  return emailSchema.safeParse(t).success && t.length <= 254 ? t.toLowerCase() : undefined
}

/** Canonical phone: mainland mobiles as 11 digits, others as +digits. */
export function validPhone(s: string): string | undefined {
  const t = s.trim()
  const digits = t.replace(/[\s-]/g, '')
  const cn = /^(?:\+?86)?(1[3-9]\d{9})$/.exec(digits)
  if (cn) return cn[1]
  if (/^\+[1-9]\d{6,14}$/.test(digits) && !digits.startsWith('+86')) return digits
  return undefined
}

export function findEmail(text: string): string | undefined {
  const m = EMAIL_IN_TEXT.exec(text)
  return m ? validEmail(m[0]) : undefined
}

export function findPhone(text: string): string | undefined {
  const m = CN_MOBILE.exec(text) ?? INTL_PHONE.exec(text)
  return m ? validPhone(m[0]) : undefined
}

const COMPANY_LABELED = /(?:公司(?:名称|名)?是?|单位是?|我在|来自|company(?:\s+name)?(?:\s+is)?|i\s+work\s+(?:at|for)|from)\s*[:：]?\s*([^,，。;；\n]{2,80}?)(?=$|[,，。;；\n])/iu

/** A plausible person's name: letters (any script), spaces, dots, hyphens, apostrophes; no digits or @. */
export function validName(s: string): string | undefined {
  const t = s.trim().replace(/\s+/g, ' ')
  if (t.length < 2 && !/\p{Script=Han}/u.test(t)) return undefined
  if (t.length > 50) return undefined
  if (!/^[\p{L}\p{M}][\p{L}\p{M}·.'’ -]*$/u.test(t)) return undefined
  if (isQuestion(t)) return undefined
  // Han names are short; a long Han string is a sentence, not a name.
  const han = t.match(/\p{Script=Han}/gu)?.length ?? 0
  if (han > 0 && (han > 8 || /[我你们的了是要想请]/u.test(t))) return undefined
  if (han === 0 && t.split(' ').length > 5) return undefined
  // "确认", "好", "skip", "嗯": a reply to the bot, not what anyone is called.
  if (isControlWord(t) || /^(?:status|none|test)$/i.test(t)) return undefined
  return t
}

/**
 * Text that was meant as an e-mail address or phone number but is not a valid one ("abc@", "me at qq",
 * "my email is abc", "138 0013"): it deserves the contact question again, not a policy answer.
 */
export function looksLikeContactAttempt(text: string): boolean {
  const t = text.trim()
  if (/[@＠]|\d{5,}|(?:\d[\s-]*){7,}/u.test(t)) return true
  if (/\b(?:at|dot)\b/i.test(t) && /\b(?:qq|163|126|gmail|outlook|hotmail|yahoo|foxmail|icloud|sina|com|cn|net|org)\b/i.test(t)) return true
  return /^(?:my\s+)?(?:e-?mail|mail|phone|mobile|number|tel|qq|wechat)\b|^(?:我的)?(?:邮箱|电子邮件|电邮|手机号?|电话|号码|微信|qq)/iu.test(t)
}

// "应该是 13900139000", "正确的是 Ann Lee", "should be 13900139000", "the correct email is a@b.cn".
const CORRECT_VALUE_ZH = /(?:应该?(?:是|为)|应当(?:是|为)|正确的?(?:内容|信息|值)?(?:应该)?(?:是|为)|(?:改|更正|更改|修改)(?:为|成)|换成|实际(?:上)?是)\s*[:：]?\s*(.+?)[\s。.!！]*$/u
const CORRECT_VALUE_EN = /\b(?:should\s+(?:be|read|say)|(?:the\s+)?correct\s+(?:\w+\s+)?is|(?:change|update|correct)\s+it\s+to|(?:it|this)\s+is\s+actually|it'?s\s+actually)\s*[:：]?\s*(.+?)[\s.!]*$/iu

/** The correct value stated in a message about what is wrong, if the person gave it there too. */
export function correctValueIn(text: string): string | undefined {
  const m = CORRECT_VALUE_ZH.exec(text) ?? CORRECT_VALUE_EN.exec(text)
  const value = m?.[1]?.trim()
  return value && !isControlWord(value) ? value : undefined
}

export function validCompany(s: string): string | undefined {
  const t = s.trim().replace(/\s+/g, ' ')
  if (t.length < 2 || t.length > 100 || isQuestion(t) || isControlWord(t)) return undefined
  return t
}

/** The values one message can give at once, whatever was asked. */
export type ExtractedFields = Partial<Pick<CollectedFields, 'name' | 'email' | 'phone' | 'company'>>

/** Labelled or self-evident values in one message ("我叫张三，邮箱 a@b.cn", "name: Ann Lee, phone +44…"). */
export function extractFields(text: string): ExtractedFields {
  const out: ExtractedFields = {}
  const email = findEmail(text)
  if (email) out.email = email
  const phone = findPhone(text.replace(EMAIL_IN_TEXT, ' '))
  if (phone) out.phone = phone
  const nameMatch = NAME_LABELED.exec(text)
  const name = nameMatch ? validName(nameMatch[1] ?? '') : undefined
  if (name) out.name = name
  const companyMatch = COMPANY_LABELED.exec(text)
  const company = companyMatch ? validCompany(companyMatch[1] ?? '') : undefined
  if (company) out.company = company
  return out
}
