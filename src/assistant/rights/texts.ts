import type { Lang } from '../../lang.js'
import type { RightType } from '../../requests/model.js'

/** Bilingual wording of the rights-request conversation. Policy wording is quoted elsewhere, never here. */

/**
 * What each right lets the person do, in words addressed to them: the English names are used inside
 * sentences ("your request to access your personal information") and, capitalised, as menu labels.
 */
export const RIGHT_NAMES: Record<RightType, { zh: string; en: string }> = {
  access: { zh: '查阅个人信息', en: 'access your personal information' },
  copy: { zh: '获取个人信息副本', en: 'get a copy of your personal information' },
  review: { zh: '复核个人信息', en: 'review your personal information' },
  correct: { zh: '更正个人信息', en: 'correct your personal information' },
  delete: { zh: '删除个人信息', en: 'delete your personal information' },
  restrict: { zh: '限制处理', en: 'restrict processing' },
  object: { zh: '反对处理', en: 'object to processing' },
  complain: { zh: '投诉', en: 'make a complaint' },
  'withdraw-consent': { zh: '撤回同意', en: 'withdraw consent' },
  'marketing-opt-out': { zh: '退订营销信息', en: 'stop marketing messages' },
}

/** The order of the numbered rights menu. */
export const MENU_ORDER: readonly RightType[] = ['access', 'copy', 'review', 'correct', 'delete', 'restrict', 'object', 'complain', 'withdraw-consent', 'marketing-opt-out']

export const rightName = (type: RightType, lang: Lang): string => RIGHT_NAMES[type][lang]

export function rightsMenu(lang: Lang): string {
  const lines = MENU_ORDER.map((t, i) => `${i + 1}. ${RIGHT_NAMES[t].zh} ${cap(RIGHT_NAMES[t].en)}`)
  return lang === 'zh'
    ? ['您想行使哪项权利？请回复数字：', ...lines, '', '回复“取消”退出。'].join('\n')
    : ['Which right would you like to exercise? Reply a number:', ...lines, '', 'Reply “cancel” to stop.'].join('\n')
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

export function started(type: RightType, lang: Lang): string {
  return lang === 'zh'
    ? `好的，我们来办理“${rightName(type, 'zh')}”申请。我会逐项询问所需信息，随时回复“取消”即可放弃。`
    : `OK, let’s file your request to ${rightName(type, 'en')}. I’ll ask for what is needed one item at a time; reply “cancel” at any point to stop.`
}

export type Prompt = 'name' | 'contact' | 'company' | `details.${string}`

const DETAIL_PROMPTS: Record<string, { zh: string; en: string }> = {
  what: { zh: '哪项信息需要更正？（例如：邮箱、公司名称）', en: 'Which information is wrong? (e.g. e-mail, company name)' },
  correction: { zh: '正确的内容应当是什么？', en: 'What is the correct value?' },
  scope: { zh: '具体涉及哪些信息或哪种处理？（可回复“全部”）', en: 'Which information or which processing does this concern? (you can reply “all”)' },
  complaint: { zh: '请描述您的投诉内容。', en: 'Please describe your complaint.' },
  message: { zh: '请输入您想留给工作人员的话（请勿发送身份证件等敏感信息）。', en: 'Please type your message for our staff (please don’t send ID documents).' },
}

export function ask(prompt: Prompt, lang: Lang): string {
  if (prompt === 'name') return lang === 'zh' ? '请告诉我您的姓名（全名）。' : 'Please tell me your full name.'
  if (prompt === 'contact') {
    return lang === 'zh' ? '请提供一个联系方式：邮箱或手机号。' : 'Please give one way to contact you: an e-mail address or a mobile number.'
  }
  if (prompt === 'company') {
    return lang === 'zh' ? '您所在的公司名称？（选填，回复“跳过”即可）' : 'Your company name? (optional: reply “skip”)'
  }
  const key = prompt.slice('details.'.length)
  return (DETAIL_PROMPTS[key] ?? { zh: '请补充相关说明。', en: 'Please add the details.' })[lang]
}

export function invalid(prompt: Prompt, lang: Lang): string {
  if (prompt === 'name') {
    return lang === 'zh' ? '这看起来不像姓名。' : 'That doesn’t look like a name.'
  }
  if (prompt === 'contact') {
    return lang === 'zh' ? '这不是有效的邮箱或手机号。' : 'That isn’t a valid e-mail address or mobile number.'
  }
  return lang === 'zh' ? '没能识别您的回答。' : 'I couldn’t use that answer.'
}

/** The answer did not fit what was asked: says so, and asks again. */
export function askAgain(prompt: Prompt, lang: Lang): string {
  return `${invalid(prompt, lang)}${lang === 'zh' ? '' : ' '}${ask(prompt, lang)}`
}

/** One line of the summary: the field's label and its value. */
export function summaryLine(field: string, value: string, lang: Lang): string {
  return `${fieldLabel(field, lang)}${lang === 'zh' ? '：' : ': '}${value}`
}

export function summary(lines: readonly string[], warning: string | undefined, lang: Lang): string {
  const head = lang === 'zh' ? '请确认您的申请：' : 'Please confirm your request:'
  const foot =
    lang === 'zh'
      ? '回复“确认”提交，“取消”放弃。如需修改，直接发送新内容，例如“邮箱 new@example.com”。'
      : 'Reply “yes” to submit or “cancel” to drop it. To change something, send the new value, e.g. “email new@example.com”.'
  return [head, ...lines, ...(warning ? ['', warning] : []), '', foot].join('\n')
}

export function fieldLabel(field: 'type' | 'name' | 'email' | 'phone' | 'company' | string, lang: Lang): string {
  const labels: Record<string, [string, string]> = {
    type: ['申请类型', 'Request'],
    name: ['姓名', 'Name'],
    email: ['邮箱', 'E-mail'],
    phone: ['手机', 'Mobile'],
    company: ['公司', 'Company'],
    what: ['需更正的信息', 'To correct'],
    correction: ['正确内容', 'Correct value'],
    scope: ['范围', 'Scope'],
    complaint: ['投诉内容', 'Complaint'],
    message: ['留言', 'Message'],
  }
  const l = labels[field] ?? [field, field]
  return lang === 'zh' ? l[0] : l[1]
}

export function confirmed(id: string, type: RightType, lang: Lang): string {
  return lang === 'zh'
    ? `已提交！您的申请编号：${id}（${rightName(type, 'zh')}）。\n工作人员将先核验您的身份，核验通过后 15 天内答复您；15 天期限自核验之日起计算。\n查询进度请回复“状态 ${id}”。`
    : `Submitted! Your request number is ${id} (${rightName(type, 'en')}).\nOur staff will first verify your identity; we respond within 15 days, counted from the day your identity is verified.\nTo check progress, reply “status ${id}”.`
}

export function cancelled(lang: Lang): string {
  return lang === 'zh' ? '已取消，没有提交任何申请。还有什么可以帮您？' : 'Cancelled: nothing was submitted. Anything else I can help with?'
}

export function expired(lang: Lang): string {
  return lang === 'zh' ? '（您之前未完成的申请因长时间未回复已失效，未提交任何内容。）' : '(Your unfinished request timed out and was discarded; nothing was submitted.)'
}

export function confirmOrCancel(lang: Lang): string {
  return lang === 'zh' ? '请回复“确认”提交，或“取消”放弃；也可以直接发送要修改的内容。' : 'Please reply “yes” to submit or “cancel” to drop it; or send a value to change.'
}

export function whatToChange(lang: Lang): string {
  return lang === 'zh'
    ? '请发送需要修改的内容，例如“姓名 张三”“邮箱 new@example.com”“手机 13800000000”，或回复“取消”。'
    : 'Send what should change, e.g. “name Ann Lee”, “email new@example.com”, “phone +447700900123”, or reply “cancel”.'
}

export function resume(prompt: string, lang: Lang): string {
  return lang === 'zh' ? `—— 继续您的申请：${prompt}` : `— Back to your request: ${prompt}`
}

export function resumeShort(lang: Lang): string {
  return lang === 'zh' ? '—— 您的申请仍在进行中，回复“继续”接着填写。' : '— Your request is still open: reply “continue” to go on.'
}

export function offerToStart(type: RightType, lang: Lang): string {
  return lang === 'zh'
    ? `如需提交“${rightName(type, 'zh')}”申请，请回复“申请”。`
    : `To file a request to ${rightName(type, 'en')}, reply “request”.`
}

/** After an answer about a request made earlier: where it stands is one word away. */
export function statusHint(lang: Lang): string {
  return lang === 'zh' ? '查询您已提交申请的进度，请回复“状态”。' : 'To see where your requests stand, reply “status”.'
}

export function chooseNumber(lang: Lang): string {
  return lang === 'zh' ? `请回复 1–${MENU_ORDER.length} 之间的数字，或回复“取消”。` : `Please reply a number from 1 to ${MENU_ORDER.length}, or “cancel”.`
}

export function optedOut(id: string, lang: Lang): string {
  return lang === 'zh'
    ? `已为您退订营销信息，立即生效，我们不会再向您发送促销或推广内容（服务与法律相关通知除外）。记录编号：${id}。`
    : `Done: you are opted out of marketing, effective now. We will not send you promotions or offers (service and legal notices excepted). Reference: ${id}.`
}

export function inquiryFiled(id: string, lang: Lang): string {
  return lang === 'zh'
    ? `已收到您的留言，编号 ${id}。工作人员会通过本公众号回复您。`
    : `Thanks, your message is with our staff (reference ${id}). They will reply to you here.`
}

export function consequenceHeading(lang: Lang): string {
  return lang === 'zh' ? '⚠️ 请注意，隐私政策原文写明：' : '⚠️ Please note, our privacy policy says:'
}

export function withdrawEffect(lang: Lang): string {
  return lang === 'zh'
    ? '⚠️ 撤回同意后，我们将停止基于您同意的处理（例如营销信息）；撤回不影响此前基于同意已进行的处理，也不影响为履行合同或法定义务所必需的处理。依赖这些处理的服务可能无法继续提供。'
    : '⚠️ Once you withdraw consent we stop processing that relies on it (such as marketing). Processing already done stays lawful, and processing needed for a contract or a legal obligation continues. Services that depend on it may stop.'
}

export function objectEffect(lang: Lang): string {
  return lang === 'zh'
    ? '⚠️ 我们将评估您的反对意见；在适用法律允许的范围内停止相关处理，并告知您结果及理由。若停止处理，依赖该处理的服务可能无法继续提供。'
    : '⚠️ We will assess your objection, stop the processing where applicable law allows, and tell you the outcome with reasons. If processing stops, services that depend on it may stop.'
}

export function tooManyOpen(max: number, lang: Lang): string {
  return lang === 'zh'
    ? `您已有 ${max} 个尚未办结的申请或留言，请等待工作人员处理后再提交新的申请。回复“状态”查看进度。`
    : `You already have ${max} open requests or messages. Please wait for staff to handle them before filing another; reply “status” to see progress.`
}

export function policySays(lang: Lang): string {
  return lang === 'zh' ? '隐私政策原文：' : 'Our privacy policy says: '
}

/** After "人工": the reply was a control word ("request", "确认") or empty, not a message for staff. */
export function messageAgain(lang: Lang): string {
  return lang === 'zh'
    ? `${ask('details.message', 'zh')}回复“取消”退出。`
    : `${ask('details.message', 'en')} Reply “cancel” to stop.`
}

/** Filing failed (storage unavailable): nothing was submitted, and the summary is still there to confirm. */
export function notFiled(lang: Lang): string {
  return lang === 'zh'
    ? '抱歉，申请暂时未能保存，尚未提交。请稍后再回复“确认”重试。'
    : 'Sorry, your request could not be saved yet and has not been submitted. Please reply “yes” again in a moment.'
}

/** A message for staff could not be stored: it has not reached anyone, and sending it again files it. */
export function inquiryNotSaved(lang: Lang): string {
  return lang === 'zh'
    ? '抱歉，您的留言暂时未能保存，尚未送达工作人员。请稍后重新发送您的留言。'
    : 'Sorry, your message could not be saved yet and has not reached our staff. Please send it again in a moment.'
}

export function optOutNotSaved(lang: Lang): string {
  return lang === 'zh'
    ? '抱歉，退订暂时未能完成记录。请稍后再发送“退订”重试。'
    : 'Sorry, your opt-out could not be recorded yet. Please send “unsubscribe” again in a moment.'
}

/** Requests cannot be taken right now (their storage is out of reach); policy questions still can. */
export function unavailable(lang: Lang): string {
  return lang === 'zh'
    ? '抱歉，申请服务暂时不可用，您刚才的消息未被记录。请稍后再试；隐私政策相关问题仍可随时提问。'
    : 'Sorry, requests are temporarily unavailable and your message was not recorded. Please try again shortly; you can still ask about our privacy policy.'
}

/** The conversation could not be read or saved: what the person just sent was not taken. */
export function notSaved(lang: Lang): string {
  return lang === 'zh' ? '抱歉，刚才的回复暂时未能保存。请稍后再发送一次。' : 'Sorry, I could not save your reply just now. Please send it again in a moment.'
}
