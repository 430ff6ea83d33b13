import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { attachQuestions, normalizeQuote } from '../../src/policy/paragraph-questions.js'
import { parsePolicy } from '../../src/policy/parse.js'
import { createPolicyStore, loadPolicyStore } from '../../src/policy/store.js'
import { explainingStore, ROOT } from './eval-helpers.js'

const policyText = readFileSync(path.join(ROOT, 'data/privacy-policy.en.txt'), 'utf8')
const lexicon = JSON.parse(readFileSync(path.join(ROOT, 'data/lexicon.json'), 'utf8')) as unknown
const sections = parsePolicy(policyText).sections
const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/policy/fixtures/paragraph-questions.sample.json'), 'utf8')) as unknown
const blockOf = (section: number, pos: number): string => sections[section]!.blocks[pos]!

describe('attaching staff questions to paragraphs', () => {
  it('finds each paragraph by a phrase copied from it, whatever its quotes, spaces and blanks', () => {
    const warnings: string[] = []
    const attached = attachQuestions(sections, fixture, {}, (m) => warnings.push(m))
    const textOf = (q: string): string => {
      const b = attached.find((a) => a.questions.includes(q))!
      return blockOf(b.section, b.pos)
    }
    // Straight apostrophe and a no-break space in the quote; the policy has "People’s" and a plain space.
    expect(textOf('你们的服务商都是国内的吗')).toContain('trusted third-party service providers')
    // Copied from the policy file with its blank ("to via email"); the parsed policy reads "to us via email".
    expect(textOf('隐私问题发邮件给谁')).toContain('send your inquiries to us via email')
    expect(textOf('娄山关路那个大楼是你们吗')).toContain('Zip Code: 200051')
    expect(normalizeQuote('People’s\u00a0 “Republic”')).toBe('People\'s "Republic"')
    expect(warnings).toHaveLength(2)
  })

  it('skips a phrase no paragraph holds and sends a phrase several hold to the first, with a warning each', () => {
    const warnings: string[] = []
    const attached = attachQuestions(sections, fixture, {}, (m) => warnings.push(m))
    expect(warnings.some((w) => w.includes('no paragraph of the policy contains "This sentence is not in the policy"'))).toBe(true)
    expect(attached.some((a) => a.questions.includes('这个问题不会被用上'))).toBe(false)
    const several = warnings.find((w) => w.includes('"your personal data"'))
    expect(several).toMatch(/paragraphs contain "your personal data"; its questions go to the first/)
    const first = sections.flatMap((s, si) => s.blocks.map((b, pos) => ({ si, pos, b }))).find((x) => x.b.includes('your personal data'))!
    const b = attached.find((a) => a.questions.includes('what happens to my personal data'))!
    expect([b.section, b.pos]).toEqual([first.si, first.pos])
  })

  it('rejects a file that is not in the expected shape', () => {
    expect(() => attachQuestions(sections, { paragraphs: [{ zh: ['x'] }] }, {}, () => {})).toThrow(/Invalid paragraph questions/)
    expect(() => attachQuestions(sections, { questions: [] }, {}, () => {})).toThrow(/Invalid paragraph questions/)
  })
})

describe('staff questions in answering', () => {
  it('answer a question the policy words alone leave unanswered, from the paragraph it was filed under', () => {
    const q = '娄山关路那个大楼是你们吗'
    expect(createPolicyStore({ policyText, lexicon, cacheSize: 0 }).answer(q)).toBeNull()
    const store = explainingStore({ policyText, lexicon, paragraphQuestions: fixture, cacheSize: 0, warn: () => {} })
    expect(store.answer(q)?.pages[0]).toContain('Loushanguan Road')
    expect(store.explain(q).nearest).toEqual({ question: q, closeness: 1 })
  })

  it('do not make a question about something else answerable by sharing a word with it', () => {
    const store = createPolicyStore({ policyText, lexicon, paragraphQuestions: fixture, cacheSize: 0, warn: () => {} })
    for (const q of ['娄山关路附近有什么好吃的', '你们大楼几点关门', '今天天气怎么样']) expect(store.answer(q), q).toBeNull()
  })

  it('leave a policy they do not fit working on its own words', () => {
    const other = ['Acme Privacy', '', 'What we collect\u00a0', '', 'We collect your name and email address when you sign up.', '', 'Contact us\u00a0', '', 'Write to Acme at 1 Example Street.'].join('\n')
    const warnings: string[] = []
    const store = loadPolicyStore(
      { policyFile: write('acme.txt', other), lexiconFile: path.join(ROOT, 'data/lexicon.json'), paragraphQuestionsFile: path.join(ROOT, 'data/paragraph-questions.json') },
      { cacheSize: 0, warn: (m) => warnings.push(m) },
    )
    expect(warnings.length).toBeGreaterThan(0)
    expect(warnings.every((w) => w.startsWith('paragraph questions: '))).toBe(true)
    expect(store.answer('What data do you collect?')?.pages[0]).toContain('We collect your name and email address')
  })

  it('are optional: a missing file is a warning, not a failure', () => {
    const warnings: string[] = []
    const store = loadPolicyStore(
      { policyFile: path.join(ROOT, 'data/privacy-policy.en.txt'), lexiconFile: path.join(ROOT, 'data/lexicon.json'), paragraphQuestionsFile: path.join(tmpdir(), 'no-such-dir', 'paragraph-questions.json') },
      { cacheSize: 0, warn: (m) => warnings.push(m) },
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/does not exist/)
    expect(store.answer('Do you sell my data?')?.pages[0]).toContain('do not sell or rent')
  })

  it('all of the shipped file find their paragraph in the shipped policy', () => {
    const warnings: string[] = []
    const data = JSON.parse(readFileSync(path.join(ROOT, 'data/paragraph-questions.json'), 'utf8')) as unknown
    attachQuestions(parsePolicy(policyText).sections, data, {}, (m) => warnings.push(m))
    expect(warnings.filter((w) => w.includes('no paragraph'))).toEqual([])
  })
})

function write(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'policy-')), name)
  writeFileSync(file, text)
  return file
}
