import { commandWord } from './normalize.js'

/** Words that ask for the welcome and topic menu. `?` alone counts too. */
const HELP = new Set(['帮助', '帮忙', '菜单', '目录', '主题', 'help', 'menu', 'topics', 'h', 'hi', 'hello', '你好', '您好', '在吗', '开始', 'start'])
const MORE = new Set(['更多', '继续', '下一页', '还有吗', 'more', 'next', 'continue', 'm'])

export function isHelp(text: string): boolean {
  const t = text.trim()
  return t === '?' || t === '？' || HELP.has(commandWord(t))
}

export function isMore(text: string): boolean {
  return MORE.has(commandWord(text))
}

/** A bare number such as "3" or "第3项" picks a topic from the menu. */
export function topicNumber(text: string): number | null {
  const m = /^(?:第|#|no\.?\s*)?(\d{1,3})(?:项|个|条)?[.。!！]?$/i.exec(text.trim())
  return m ? Number(m[1]) : null
}
