import type { RightType } from '../../requests/model.js'
import { isCancelWord, isHelp, isMore } from '../intents.js'
import { commandWord } from '../normalize.js'

export { isCancelWord }

/**
 * Recognises what a person wants from the words they use. Patterns are per right, in both languages;
 * "question or request" is decided separately (see `isQuestion` / `hasRequestMarker`).
 */

const DATA_EN = String.raw`(?:personal\s+)?(?:data|info(?:rmation)?|details|records?|account|profile|everything)`
const DATA_ZH = '(?:个人)?(?:信息|数据|资料|账号|账户|帐号|记录)'

const RIGHT_PATTERNS: ReadonlyArray<readonly [RightType, RegExp]> = [
  ['marketing-opt-out', new RegExp(
    String.raw`\b(?:unsubscribe|opt[\s-]*out)\b|stop\s+(?:sending|emailing|texting|messaging)|no\s+more\s+(?:promotions?|marketing|ads|newsletters?|emails?)|(?:don'?t|do\s+not)\s+(?:send|email|text|contact)\s+me|退订|取消订阅|拒收|不要再?(?:给我)?(?:发|推送?|打扰)|别再?(?:给我)?(?:发|推送?|打扰)|停止(?:发送|推送)|关闭(?:营销|推广|广告)`,
    'i',
  )],
  ['withdraw-consent', /\b(?:withdraw|revoke|retract|take\s+back|cancel)\w*\s+(?:my\s+|the\s+)?(?:consent|permission|authori[sz]ation)|撤回(?:我的)?(?:同意|授权)|撤销(?:我的)?(?:同意|授权)|收回(?:我的)?(?:同意|授权)|取消(?:我的)?(?:同意|授权)|不再同意/i],
  ['complain', /\bcomplain\w*|\bcomplaint\b|\bfile\s+a\s+grievance\b|投诉|申诉|举报/i],
  ['object', /\bobject(?:ion)?\b(?:s|ing)?\s*(?:to|against)?|\boppose\b|反对/i],
  ['restrict', new RegExp(String.raw`\b(?:restrict|limit)\w*\b.{0,40}\b(?:processing|use|using|${DATA_EN})|\brestriction\b|限制(?:处理|使用|你们|对)?`, 'i')],
  ['correct', new RegExp(
    String.raw`\b(?:correct|rectify|fix|amend|update|change|edit)\w*\b.{0,30}\b(?:my\s+)?(?:${DATA_EN}|name|e-?mail|phone|number|address|job\s+title|company)|\bwrong\b.{0,30}\b(?:${DATA_EN}|name|e-?mail|phone|address)|更正|纠正|修改(?:一下)?(?:我的)?${DATA_ZH}|修正|更改(?:我的)?${DATA_ZH}|(?:信息|资料|数据)(?:有)?(?:误|错)`,
    'i',
  )],
  ['copy', new RegExp(String.raw`\bcopy\b.{0,20}\b(?:of\s+)?(?:my|all)\b|\b(?:want|need|get|send|give)\b.{0,15}\bcopy\b|\b(?:export|download|port|transfer)\w*\b.{0,20}\bmy\s+${DATA_EN}|副本|复制|拷贝|导出|下载(?:我的)?${DATA_ZH}`, 'i')],
  ['delete', new RegExp(
    String.raw`\b(?:delete|erase|remove|wipe|destroy|purge|forget)\w*\b.{0,30}\b(?:my|me|all)\b|\bforget\s+me\b|\bright\s+to\s+(?:be\s+forgotten|erasure)\b|删除|删掉|清除|抹去|销毁|注销`,
    'i',
  )],
  ['review', /\breview\w*\b.{0,20}\bmy\b|复核|复查|核查|审阅|审查我的/i],
  ['access', new RegExp(
    String.raw`\b(?:access|see|view|obtain|get|know)\b.{0,30}\b(?:my|mine)\b.{0,20}${DATA_EN}|\bwhat\s+(?:data|info(?:rmation)?)\s+(?:do\s+you|you)\s+(?:have|hold|keep|store)\s+(?:on|about)\s+me\b|\bsubject\s+access\b|查阅|查看(?:我的|你们保存的)|查询(?:我的)?${DATA_ZH}|访问(?:我的)?${DATA_ZH}`,
    'i',
  )],
]

/** The right the text is about, if any (first match in a deliberate order: specific before general). */
export function rightMentioned(text: string): RightType | null {
  for (const [type, pattern] of RIGHT_PATTERNS) if (pattern.test(text)) return type
  return null
}

// "I want", "please", "can you … for me": someone asking us to act, even when phrased as a question.
const REQUEST_MARKER = /\b(?:i\s+(?:want|would\s+like|'d\s+like|wish|need|hereby|request|demand|ask\s+you)|please|pls|plz|(?:can|could|would|will)\s+you(?:\s+please)?\s+(?:delete|erase|remove|send|give|provide|correct|update|fix|change|restrict|stop|export|show|unsubscribe)|help\s+me\s+(?:to\s+)?(?:delete|remove|correct|unsubscribe)|^i\s+(?:hereby\s+)?(?:object|complain|withdraw|revoke|opt)|my\s+request)\b|我要|我想|我希望|我需要|我申请|申请|请求|请(?!问)|麻烦|帮我|给我|替我|为我/i
// "What happens if…", "how do I…", "can I…?", 吗/呢/如何/怎么: someone asking about the right.
const QUESTION_MARKER = /[?？]|^(?:what|how|when|why|which|who|where|is|are|do|does|did|can|could|may|will|would|should|if|in\s+case)\b|\b(?:what\s+happens|what\s+if|how\s+(?:do|can|long|to)|am\s+i\s+able|is\s+it\s+possible)\b|吗|呢|如何|怎么|怎样|什么|啥|能否|可否|是否|为何|为什么|哪|多少|多久|几天|谁|如果|假如|要是|(.)不\1|有没有|还有没|行不行/i

export function hasRequestMarker(text: string): boolean {
  return REQUEST_MARKER.test(text)
}

export function isQuestion(text: string): boolean {
  return QUESTION_MARKER.test(text)
}

export type RightsIntent =
  /** Start a request of this type now. */
  | { readonly kind: 'request'; readonly type: RightType }
  /** A question about this right: answer from the policy and offer to start one. */
  | { readonly kind: 'question'; readonly type: RightType }

/**
 * "Delete my data" and "请删除我的个人信息" are requests; "What happens if I ask you to delete my data?"
 * and "我可以删除我的数据吗" are questions. A request marker wins over a question mark, so
 * "Could you please delete my data?" is a request.
 */
export function rightsIntent(text: string): RightsIntent | null {
  const type = rightMentioned(text)
  if (!type) return null
  // "Can I ask you to erase…?", "May I have a copy?": asking whether the right exists.
  if (/^(?:can|could|may|might|should|shall)\s+i\b/i.test(text.trim())) return { kind: 'question', type }
  if (hasRequestMarker(text) && !/\b(?:what\s+happens|what\s+if|if\s+i)\b|如果|假如|要是|会怎样|会怎么样|有什么(?:后果|影响)/i.test(text)) {
    return { kind: 'request', type }
  }
  if (isQuestion(text)) return { kind: 'question', type }
  return { kind: 'request', type }
}

const word = (list: string[]) => new Set(list)
const START_WORDS = word(['申请', '提交申请', '提交请求', '权利', '我的权利', '行使权利', '个人信息权利', 'request', 'requests', 'rights', 'myrights', 'exercisemyrights', 'newrequest', '新申请'])
const STAFF_WORDS = word(['人工', '人工服务', '转人工', '客服', '人工客服', '联系客服', '联系工作人员', '工作人员', '留言', 'staff', 'human', 'agent', 'person', 'talktostaff', 'talktoahuman', 'talktoaperson', 'contactstaff', 'leaveamessage', 'operator', 'support'])
const YES_WORDS = word(['是', '是的', '对', '对的', '确认', '确定', '好', '好的', '可以', '没问题', '提交', '确认提交', 'y', 'yes', 'yeah', 'yep', 'ok', 'okay', 'confirm', 'submit', 'sure', 'correct'])
const NO_WORDS = word(['否', '不', '不是', '不对', '错了', '有误', 'n', 'no', 'nope', 'wrong', 'incorrect'])
/** Acknowledgements that neither confirm nor answer anything ("嗯", "收到", "hmm"). */
const ACK_WORDS = word(['嗯', '嗯嗯', '恩', '哦', '噢', '喔', '啊', '行', '收到', '知道了', '明白', '明白了', '了解', '好吧', 'hmm', 'um', 'uh', 'ah', 'oh', 'gotit', 'alright', 'understood'])
const SKIP_WORDS = word(['跳过', '无', '没有', '不填', '略', '个人', 'skip', 'none', 'no', 'n/a', 'na', '-', 'nothing', 'notapplicable', 'private', 'individual'])
const STATUS_PATTERN = /^(?:(?:check\s+)?(?:the\s+)?(?:status|progress)\b|my\s+requests?\b|(?:查询|查看|查)?(?:一下)?(?:我的)?(?:申请|请求)?(?:的)?(?:进度|状态)|我的(?:申请|请求))/i

export const isStartWord = (t: string): boolean => START_WORDS.has(commandWord(t))
export const isStaffWord = (t: string): boolean => STAFF_WORDS.has(commandWord(t)) || /^(?:我要|我想|请)?(?:找|转|联系)?(?:人工|真人|客服)(?:服务|客服)?$/.test(commandWord(t)) || /^(?:i\s+want\s+to\s+|can\s+i\s+|let\s+me\s+)?(?:talk|speak)\s+(?:to|with)\s+(?:a\s+)?(?:human|person|staff|someone|agent)/i.test(t)
export const isYes = (t: string): boolean => YES_WORDS.has(commandWord(t))
export const isNo = (t: string): boolean => NO_WORDS.has(commandWord(t))
export const isSkip = (t: string): boolean => SKIP_WORDS.has(commandWord(t))

/**
 * A word that steers the conversation (yes, no, skip, cancel, help, more, request, staff, "嗯") rather
 * than answering what was asked: never a name, a correct value or a message for staff.
 */
export function isControlWord(t: string): boolean {
  return isYes(t) || isNo(t) || isSkip(t) || isCancelWord(t) || isStartWord(t) || isStaffWord(t) || isHelp(t) || isMore(t) || ACK_WORDS.has(commandWord(t))
}

/** `status`, `status PR-…`, `状态`, `进度 PR-…`: returns the id asked about (if any), or null when not a status command. */
export function statusCommand(text: string): { id?: string } | null {
  const t = text.trim()
  if (!STATUS_PATTERN.test(t)) return null
  const id = /\bPR-\d{8}-[A-Z0-9]{4,}\b/i.exec(t)?.[0]
  const rest = t.replace(/\bPR-\d{8}-[A-Z0-9]{4,}\b/i, '').replace(STATUS_PATTERN, '')
  // "status of the economy" is not a status command; "状态 PR-…" and "我的申请进度" are.
  if (commandWord(rest).length > 6) return null
  return id ? { id: id.toUpperCase() } : {}
}
