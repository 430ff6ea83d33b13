import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../src/config.js'
import { rightMentioned } from '../../src/assistant/rights/intents.js'
import { compileVocabulary, type RightsVocabulary, type RightsVocabularyData } from '../../src/assistant/rights/vocabulary.js'
import { commandWord } from '../../src/assistant/normalize.js'
import { RIGHT_TYPES } from '../../src/requests/model.js'

/** data/rights-vocabulary.json: staff extend it like the lexicon; a mistake is reported by file and entry. */

const file = path.join(PROJECT_ROOT, 'data/rights-vocabulary.json')
const shipped = (): RightsVocabularyData => JSON.parse(readFileSync(file, 'utf8')) as RightsVocabularyData
const firstRight = (v: RightsVocabulary, text: string) => v.rights.find(([, re]) => re.test(text))?.[0] ?? null
const rightEntry = (data: RightsVocabularyData, right: string) => {
  const i = data.rights.findIndex((r) => r.right === right)
  return { i, entry: data.rights[i]! }
}

describe('rights vocabulary file', () => {
  it('validates, names every right once and keeps the order of the file', () => {
    const data = shipped()
    const v = compileVocabulary(data)
    expect(v.rights.map(([t]) => t)).toEqual(data.rights.map((r) => r.right))
    expect([...v.rights.map(([t]) => t)].sort()).toEqual([...RIGHT_TYPES].sort())
    expect(v.words.yes.has('确认')).toBe(true)
    expect(v.markers.status.test('状态 PR-20250101-ABCDEF')).toBe(true)
  })

  it('recognises a word added to a right, in Chinese and in English', () => {
    expect(rightMentioned('请把我的记录抹掉')).toBeNull()
    expect(rightMentioned('please scrub my records')).toBeNull()
    const data = shipped()
    const { entry } = rightEntry(data, 'delete')
    entry.zh = [...(entry.zh ?? []), '抹掉']
    entry.en = [...(entry.en ?? []), 'scrub']
    const v = compileVocabulary(data)
    expect(firstRight(v, '请把我的记录抹掉')).toBe('delete')
    expect(firstRight(v, 'Please SCRUB my records')).toBe('delete')
    // The rest is unchanged: the first match still wins.
    expect(firstRight(v, '我要投诉，删除我的数据')).toBe('complain')
  })

  it('recognises a placeholder in a new entry and a word added to a word list however it is written', () => {
    const data = shipped()
    const { entry } = rightEntry(data, 'copy')
    entry.en = [...(entry.en ?? []), String.raw`\bmail\s+me\s+{DATA_EN}`]
    data.words.yes.en = [...(data.words.yes.en ?? []), 'Of course!']
    data.words.staff.zh = [...(data.words.staff.zh ?? []), '真人服務']
    const v = compileVocabulary(data)
    expect(firstRight(v, 'Mail me personal information')).toBe('copy')
    expect(v.words.yes.has(commandWord('of course'))).toBe(true)
    expect(v.words.staff.has(commandWord('真人服务'))).toBe(true)
  })

  const broken: Array<[string, (data: RightsVocabularyData) => void, RegExp]> = [
    ['an invalid pattern', (d) => void rightEntry(d, 'delete').entry.zh!.push('抹('), /rights\[7\] \(delete\)\.zh\[6\] "抹\(": not a valid regular expression/],
    ['an unknown placeholder', (d) => void rightEntry(d, 'copy').entry.en!.push('my {DATA_FR}'), /rights\[6\] \(copy\)\.en\[3\] "my \{DATA_FR\}": unknown placeholder \{DATA_FR\}/],
    ['a pattern matching every message', (d) => void d.markers.request.zh!.push('(?:请)?'), /markers\.request\.zh\[13\] "\(\?:请\)\?": it matches an empty text/],
    ['an empty entry', (d) => void d.markers.question.en!.push(' '), /markers\.question\.en\[3\] " ": an empty entry/],
    ['a numbered backreference', (d) => void d.markers.question.zh!.push(String.raw`(.)没\1`), /markers\.question\.zh\[27\] .*named group/],
    ['a number instead of a word', (d) => void (d.rights[2]!.zh as unknown[]).push(42), /rights\[2\] \(complain\)\.zh\[3\]: .*string/],
    ['an unknown right', (d) => void (d.rights[0]!.right = 'forget' as never), /rights\[0\] \(forget\)\.right: .*"access"/],
    ['a misspelt list name', (d) => void ((d.words.no as Record<string, unknown>).ch = ['不']), /words\.no: .*"ch"/],
    ['a missing right', (d) => void d.rights.splice(rightEntry(d, 'review').i, 1), /rights: missing "review"/],
    ['a right listed twice', (d) => void d.rights.push({ right: 'object', zh: ['不同意'] }), /rights\[10\] \(object\): "object" is listed twice/],
    ['a word that is only punctuation', (d) => void d.words.yes.en!.push('!!'), /words\.yes\.en\[10\] "!!": nothing is left/],
  ]
  it.each(broken)('reports %s with the file and the entry', (_, breakIt, message) => {
    const data = shipped()
    breakIt(data)
    let error: Error | undefined
    try {
      compileVocabulary(data)
    } catch (err) {
      error = err as Error
    }
    expect(error?.message).toMatch(/^Invalid data\/rights-vocabulary\.json: /)
    expect(error?.message).toMatch(message)
  })
})
