import type { RightType } from '../../requests/model.js'
import { isCancelWord, isHelp, isMore } from '../intents.js'
import { commandWord } from '../normalize.js'
import { vocabulary } from './vocabulary.js'

export { isCancelWord }

/**
 * Recognises what a person wants from the words they use. The words and patterns, per right and in both
 * languages, are in data/rights-vocabulary.json (see ./vocabulary.ts); this module only applies them.
 * "Question or request" is decided separately (see `isQuestion` / `hasRequestMarker`).
 */

const { rights: RIGHT_PATTERNS, markers, words } = vocabulary

/** The right the text is about, if any (first match in a deliberate order: specific before general). */
export function rightMentioned(text: string): RightType | null {
  for (const [type, pattern] of RIGHT_PATTERNS) if (pattern.test(text)) return type
  return null
}

/** "I want", "please", "can you … for me": someone asking us to act, even when phrased as a question. */
export function hasRequestMarker(text: string): boolean {
  return markers.request.test(text)
}

/** "What happens if…", "how do I…", "can I…?", 吗/呢/如何/怎么: someone asking about the right. */
export function isQuestion(text: string): boolean {
  return markers.question.test(text)
}

export type RightsIntent =
  /** Start a request of this type now. */
  | { readonly kind: 'request'; readonly type: RightType }
  /** A question about this right: answer from the policy and offer to start one (or, about one made `earlier`, to see its status). */
  | { readonly kind: 'question'; readonly type: RightType; readonly earlier?: boolean }

/**
 * "Delete my data" and "请删除我的个人信息" are requests; "What happens if I ask you to delete my data?"
 * and "我可以删除我的数据吗" are questions. A request marker wins over a question mark, so
 * "Could you please delete my data?" is a request.
 */
export function rightsIntent(text: string): RightsIntent | null {
  const type = rightMentioned(text)
  if (!type) return null
  // "我提的删除申请到底啥时候能处理完": about a request made before, not a new one.
  if (markers.earlier.test(text)) return { kind: 'question', type, earlier: true }
  // "Can I ask you to erase…?", "May I have a copy?": asking whether the right exists.
  if (markers.permission.test(text.trim())) return { kind: 'question', type }
  // "What happens if I ask you to delete…", "如果我要求删除…": a what-if, even with a request marker.
  if (hasRequestMarker(text) && !markers.hypothetical.test(text)) {
    return { kind: 'request', type }
  }
  if (isQuestion(text)) return { kind: 'question', type }
  return { kind: 'request', type }
}

export const isStartWord = (t: string): boolean => words.start.has(commandWord(t))
/** A staff word ("人工"), or a phrase asking for a person, as typed ("talk to a human") or bare ("我要找人工！"). */
export const isStaffWord = (t: string): boolean => words.staff.has(commandWord(t)) || markers.staff.test(commandWord(t)) || markers.staff.test(t)
export const isYes = (t: string): boolean => words.yes.has(commandWord(t))
export const isNo = (t: string): boolean => words.no.has(commandWord(t))
export const isSkip = (t: string): boolean => words.skip.has(commandWord(t))

/**
 * A word that steers the conversation (yes, no, skip, cancel, help, more, request, staff, or an
 * acknowledgement such as "嗯" or "收到") rather than answering what was asked: never a name, a correct
 * value or a message for staff.
 */
export function isControlWord(t: string): boolean {
  return isYes(t) || isNo(t) || isSkip(t) || isCancelWord(t) || isStartWord(t) || isStaffWord(t) || isHelp(t) || isMore(t) || words.ack.has(commandWord(t))
}

/** `status`, `status PR-…`, `状态`, `进度 PR-…`: returns the id asked about (if any), or null when not a status command. */
export function statusCommand(text: string): { id?: string } | null {
  const t = text.trim()
  if (!markers.status.test(t)) return null
  const id = /\bPR-\d{8}-[A-Z0-9]{4,}\b/i.exec(t)?.[0]
  const rest = t.replace(/\bPR-\d{8}-[A-Z0-9]{4,}\b/i, '').replace(markers.status, '')
  // "status of the economy" is not a status command; "状态 PR-…" and "我的申请进度" are.
  if (commandWord(rest).length > 6) return null
  return id ? { id: id.toUpperCase() } : {}
}
