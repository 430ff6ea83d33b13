import type { Lang } from '../lang.js'
import type { OutOfScopeReason, PolicyTopic } from '../policy/types.js'

/**
 * Everything the assistant says in its own voice, in both languages. Policy wording is never here:
 * it is quoted from the policy store.
 */

export function topicMenu(topics: readonly PolicyTopic[], lang: Lang | 'both'): string {
  return topics
    .map((t) => {
      if (lang === 'zh') return `${t.number}. ${t.titleZh}`
      if (lang === 'en') return `${t.number}. ${t.titleEn}`
      return t.titleZh && t.titleZh !== t.titleEn ? `${t.number}. ${t.titleZh} ${t.titleEn}` : `${t.number}. ${t.titleEn}`
    })
    .join('\n')
}

export function welcome(topics: readonly PolicyTopic[]): string {
  return [
    '您好！我是即库科技的隐私助手，可以用中文或英文回答关于我们隐私政策的问题，并受理您的个人信息权利请求。',
    'Hi! I am Jiku’s privacy assistant: ask me about our privacy policy in Chinese or English, or exercise your rights over your personal data.',
    '',
    '回复数字查看主题 / Reply a number for a topic:',
    topicMenu(topics, 'both'),
    '',
    '回复“申请”行使您的权利，“人工”联系工作人员。',
    'Reply “request” to exercise your rights, “staff” to reach a person.',
  ].join('\n')
}

/**
 * The policy has no answer. `reason` 'company': the question is about the company's other business
 * (products, prices, invoices, hiring, premises, using a product), so say first where that is answered.
 */
export function fallback(topics: readonly PolicyTopic[], lang: Lang, contactEmail?: string, reason?: OutOfScopeReason): string {
  if (lang === 'zh') {
    return [
      '抱歉，这个问题我在隐私政策中找不到答案。',
      ...(reason === 'company' ? ['产品、价格、发票等问题请回复“人工”联系工作人员。'] : []),
      '我可以回答以下主题（回复数字即可）：',
      topicMenu(topics, 'zh'),
      '',
      `如需人工帮助，请回复“人工”留言给工作人员${contactEmail ? `，或发邮件至 ${contactEmail}` : ''}。`,
    ].join('\n')
  }
  return [
    'Sorry, I could not find an answer to that in our privacy policy.',
    ...(reason === 'company' ? ['For product, pricing or invoice questions, reply “staff” to reach a person.'] : []),
    'I can answer these topics (reply a number):',
    topicMenu(topics, 'en'),
    '',
    `To reach a person, reply “staff” and leave a message${contactEmail ? `, or e-mail ${contactEmail}` : ''}.`,
  ].join('\n')
}

export function noMorePages(lang: Lang): string {
  return lang === 'zh'
    ? '没有更多内容了。您可以继续提问，或回复“帮助”查看主题。'
    : 'There is nothing more to show. Ask another question, or reply “help” for the topics.'
}

/** "取消" / "cancel" with no request or message in progress. */
export function nothingToCancel(lang: Lang): string {
  return lang === 'zh' ? '目前没有需要取消的申请或留言。还有什么可以帮您？' : 'There is nothing to cancel: no request or message is in progress. Anything else I can help with?'
}

export function noSuchTopic(max: number, lang: Lang): string {
  return lang === 'zh' ? `没有这个编号的主题，请回复 1–${max} 之间的数字，或回复“帮助”。` : `There is no topic with that number: reply 1–${max}, or “help”.`
}

/** For pictures, voice without recognition, videos, locations, links and files. */
export function textOnly(kind: string): string {
  const what: Record<string, [string, string]> = {
    image: ['图片', 'pictures'],
    voice: ['这段语音', 'this voice message'],
    video: ['视频', 'videos'],
    location: ['位置信息', 'locations'],
    link: ['链接', 'links'],
    file: ['文件', 'files'],
  }
  const [zh, en] = what[kind] ?? ['这类消息', 'this kind of message']
  return [
    `抱歉，我暂时无法识别${zh}。请用文字提问，例如“你们收集哪些信息？”，或回复“帮助”。`,
    `Sorry, I can’t read ${en}. Please type your question, e.g. “What data do you collect?”, or reply “help”.`,
    '请勿通过图片或文件发送身份证件等敏感信息。Please don’t send ID documents here.',
  ].join('\n')
}

export function emptyMessage(): string {
  return '请输入您的问题，或回复“帮助”。\nPlease type your question, or reply “help”.'
}

/** Shown under a held message when the answer to the person's own message had to wait. */
export function answerWaiting(lang: Lang): string {
  return lang === 'zh' ? '回复“更多”查看对您刚才消息的回答。' : 'Reply “more” for the answer to your message.'
}

export function tooManyMessages(): string {
  return '您发送消息太频繁了，请稍等一分钟再试。\nYou are sending messages too quickly; please wait a minute and try again.'
}

/** Shown when the assistant fails; bilingual because we do not know the user's language here. */
export const APOLOGY_TEXT = '抱歉，暂时无法处理您的消息，请稍后再试。/ Sorry, something went wrong; please try again.'
