import { commandWord } from './normalize.js'

/** Words that ask for the welcome and topic menu. `?` alone counts too. */
const HELP = new Set(['帮助', '帮忙', '菜单', '目录', '主题', 'help', 'menu', 'topics', 'h', 'hi', 'hello', '你好', '您好', '在吗', '开始', 'start'])
/** Words that go on from where things stand: the next page of a long answer, or back to the open request. */
const CONTINUE = new Set(['继续', '接着', '接着说', '继续说', '继续填写', '继续申请', 'continue', 'goon', 'carryon', 'resume'])
const MORE = new Set(['更多', '下一页', '还有吗', '还有呢', 'more', 'next', 'm', ...CONTINUE])
const CANCEL = new Set(['取消', '算了', '不用了', '退出', '放弃', '取消申请', 'cancel', 'stop', 'quit', 'exit', 'abort', 'nevermind', 'forgetit', 'q'])

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
