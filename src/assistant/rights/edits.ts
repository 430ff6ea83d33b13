import { validEmail, validName, validPhone, validCompany } from './fields.js'
import type { Conversation } from './conversation.js'

export type EditableField = 'name' | 'contact' | 'company'

export interface Edit {
  readonly field: EditableField
  /** Empty when the person named the field but not the new value ("修改邮箱"). */
  readonly value: string
}

const ZH_EDIT = /^(?:修改|更改|改正?|更正|换)(?:一下)?(?:我的)?(姓名|名字|邮箱|电子邮件|电邮|电话|手机号?|联系方式|公司(?:名称)?)(?:为|成|是|:|：)?\s*(.*)$/
const EN_EDIT = /^(?:change|edit|update|fix|correct)\s+(?:my\s+|the\s+)?(name|e-?mail|phone|mobile|contact|company)(?:\s+to|\s*:)?\s*(.*)$/i

function fieldOf(word: string): EditableField {
  if (/姓名|名字|name/i.test(word)) return 'name'
  if (/公司|company/i.test(word)) return 'company'
  return 'contact'
}

/** "修改邮箱 a@b.cn", "change name to Ann Lee", "edit phone". */
export function parseEdit(text: string): Edit | null {
  const m = ZH_EDIT.exec(text.trim()) ?? EN_EDIT.exec(text.trim())
  return m ? { field: fieldOf(m[1] ?? ''), value: (m[2] ?? '').trim() } : null
}

/** Applies an edit to the conversation: 'applied', 'ask' (value missing: now awaiting it) or 'invalid'. */
export function applyEdit(convo: Conversation, edit: Edit): 'applied' | 'ask' | 'invalid' {
  const f = convo.fields
  if (!edit.value) {
    convo.mode = 'collect'
    convo.awaiting = edit.field
    if (edit.field === 'name') f.name = undefined
    if (edit.field === 'company') {
      f.company = undefined
      f.companySkipped = undefined
    }
    return 'ask'
  }
  if (edit.field === 'name') {
    const name = validName(edit.value)
    if (!name) return 'invalid'
    f.name = name
  } else if (edit.field === 'company') {
    const company = validCompany(edit.value)
    if (!company) return 'invalid'
    f.company = company
  } else {
    const email = validEmail(edit.value)
    const phone = email ? undefined : validPhone(edit.value)
    if (!email && !phone) return 'invalid'
    // A changed contact replaces the old one: we keep one way to reach the person, not a history.
    f.email = email
    f.phone = phone
  }
  return 'applied'
}
