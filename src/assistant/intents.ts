import { commandWord } from './normalize.js'
import { vocabulary } from './rights/vocabulary.js'

/**
 * General command words (help, more, continue, cancel) are in data/rights-vocabulary.json with the
 * conversation words; `more` also takes every `continue` word.
 */
const { help: HELP, continue: CONTINUE, cancel: CANCEL } = vocabulary.words
const MORE: ReadonlySet<string> = new Set([...vocabulary.words.more, ...CONTINUE])

/** A help word (帮助, menu, hi), or `?` alone. */
export function isHelp(text: string): boolean {
  const t = text.trim()
  return t === '?' || t === '？' || HELP.has(commandWord(t))
}

/** 更多 / "more", and 继续 / "continue" too: whichever word a person uses, it shows what comes next. */
export function isMore(text: string): boolean {
  return MORE.has(commandWord(text))
}

/** 继续 / "continue": also goes back to an open request when there is no page left to show. */
export function isContinue(text: string): boolean {
  return CONTINUE.has(commandWord(text))
}

export function isCancelWord(text: string): boolean {
  return CANCEL.has(commandWord(text))
}

/** A bare number such as "3" or "第3项" picks a topic from the menu. */
export function topicNumber(text: string): number | null {
  const m = /^(?:第|#|no\.?\s*)?(\d{1,3})(?:项|个|条)?[.。!！]?$/i.exec(text.trim())
  return m ? Number(m[1]) : null
}
