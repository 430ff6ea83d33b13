import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { fillBlanks } from '../../src/policy/fill.js'
import { parsePolicy, slugify } from '../../src/policy/parse.js'
import { ROOT } from './eval-helpers.js'

const text = readFileSync(path.join(ROOT, 'data/privacy-policy.en.txt'), 'utf8')
const NBSP = '\u00a0'

describe('parsePolicy on the shipped policy', () => {
  const policy = parsePolicy(text, {})
  const byTitle = (t: string) => policy.sections.find((s) => s.title === t)

  it('finds the title and the top-level headings in order', () => {
    expect(policy.title).toBe('Privacy Policy')
    const tops = policy.sections.filter((s) => !s.parentId).map((s) => s.title)
    expect(tops).toEqual([
      'Introduction',
      'What data we collect',
      'How we use the data',
      'How we store your data',
      'How we share your data',
      'How we protect your data',
      'What rights do you have on your personal data?',
      'Privacy disclaimer',
      'What are cookies?',
      'How we use cookies',
      'How to control cookies',
      'Jurisdiction',
      'Revisions and notifications',
      'Contact us',
      'Send request',
    ])
  })

  it('turns the channel and cookie-category headings into sub-sections', () => {
    const collect = byTitle('What data we collect')!
    const subs = policy.sections.filter((s) => s.parentId === collect.id).map((s) => s.title)
    expect(subs).toEqual(['When you visit our website', 'During evaluation', 'During a purchase or business engagement'])
    expect(collect.blocks).toEqual(['We may collect your information through the following channels:'])
    const cookies = byTitle('How we use cookies')!
    expect(policy.sections.filter((s) => s.parentId === cookies.id).map((s) => s.title)).toEqual([
      'Essential cookies (managed by Jiku):',
      'Analytics cookies (managed by Baidu Analytics):',
    ])
  })

  it('trims the trailing NBSP of headings and gives stable ids', () => {
    for (const s of policy.sections) expect(s.title.endsWith(NBSP) || s.title.endsWith(' ')).toBe(false)
    expect(byTitle('How we store your data')!.id).toBe('how-we-store-your-data')
    expect(new Set(policy.sections.map((s) => s.id)).size).toBe(policy.sections.length)
    expect(slugify('What rights do you have on your personal data?')).toBe('what-rights-do-you-have-on-your-personal-data')
  })

  it('keeps the exact wording, including inner NBSPs and curly quotes, and marks bullets', () => {
    const use = byTitle('How we use the data')!
    expect(use.blocks.filter((b) => b.startsWith('• '))).toHaveLength(4)
    expect(use.blocks).toContain(`• Access to our products and services, such as delivering license keys and offering technical${NBSP}support.`)
    const intro = byTitle('Introduction')!
    expect(intro.blocks[0]).toContain('即库科技(上海)有限公司 (hereinafter referred to as “即库科技” or')
    // Every block is verbatim policy text, except the one sentence whose blank e-mail was rewritten.
    const blocks = policy.sections.flatMap((s) => s.blocks).filter((b) => !b.includes('to us via email'))
    expect(blocks.length).toBeGreaterThan(40)
    for (const b of blocks) expect(text).toContain(b.replace(/^• /, ''))
  })

  it('keeps multi-line paragraphs such as the address together', () => {
    expect(byTitle('Contact us')!.blocks).toContain(
      'Room 7-1788, No. 500 Loushanguan Road, Changning District, Shanghai, China\nZip Code: 200051',
    )
  })

  it('drops the website residue and the all-blank date line', () => {
    const all = policy.sections.flatMap((s) => s.blocks).join('\n')
    expect(all).not.toContain('QR code')
    expect(policy.sections.map((s) => s.title)).not.toContain('QR code to follow us on WeChat')
    expect(policy.preamble).toEqual([])
  })

  it('rewrites the blank e-mail minimally when none is configured', () => {
    const first = byTitle('Send request')!.blocks[0]!
    expect(first).not.toMatch(/to\s+via/)
    expect(first).toContain('please send your inquiries to us via email.')
  })

  it('fills the e-mail and dates when configured', () => {
    const filled = parsePolicy(text, { contactEmail: 'privacy@example.com', updated: '2025-01-01', effective: '2025-02-01' })
    expect(filled.sections.find((s) => s.title === 'Send request')!.blocks[0]).toContain(
      'please send your inquiries to privacy@example.com via email.',
    )
    expect(filled.preamble).toEqual(['Updated date: 2025-01-01 | Effective date: 2025-02-01'])
    const partial = parsePolicy(text, { updated: '2025-01-01' })
    expect(partial.preamble).toEqual(['Updated date: 2025-01-01'])
  })
})

describe('fillBlanks', () => {
  it('handles other blank shapes', () => {
    expect(fillBlanks('You can email us at .', {})).toBe('You can email us.')
    expect(fillBlanks('You can email us at .', { contactEmail: 'a@b.cn' })).toBe('You can email us at a@b.cn.')
    expect(fillBlanks('Email:', {})).toBeNull()
    expect(fillBlanks('Contact\nEmail:', { contactEmail: 'a@b.cn' })).toBe('Contact\nEmail: a@b.cn')
    expect(fillBlanks('Last updated:', {})).toBeNull()
    expect(fillBlanks('We talk to you via WeChat.', {})).toBe('We talk to you via WeChat.')
  })
})

describe('parsePolicy on another policy of the same shape', () => {
  const other = [
    'Acme Privacy Notice',
    '',
    'Last updated: | Effective date:',
    '',
    `About this notice${NBSP}`,
    '',
    'Acme Ltd. (“Acme”) explains here how it handles your data.',
    '',
    `Information we gather${NBSP}`,
    '',
    'We gather information in these situations:',
    '',
    `When you register${NBSP}`,
    '',
    'We ask for your name and e-mail address.',
    '',
    `When you call support${NBSP}`,
    '',
    'We record the call for training.',
    '',
    `Children${NBSP}`,
    '',
    'We do not knowingly collect data from children under 14.',
    '',
    'We delete such data when we learn of it:',
    '',
    '  • within 30 days;',
    '  • without asking again.',
    '',
    `Questions?${NBSP}`,
    '',
    'Write to at any time.',
    '',
    'Contact us by e-mail at .',
    '',
    'Scan the QR code to follow us',
  ].join('\n')

  it('finds headings, sub-sections, bullets and fills', () => {
    const p = parsePolicy(other, { contactEmail: 'dpo@acme.test' })
    expect(p.title).toBe('Acme Privacy Notice')
    expect(p.preamble).toEqual([])
    expect(p.sections.map((s) => [s.title, s.parentId ?? null])).toEqual([
      ['About this notice', null],
      ['Information we gather', null],
      ['When you register', 'information-we-gather'],
      ['When you call support', 'information-we-gather'],
      ['Children', null],
      ['Questions?', null],
    ])
    const children = p.sections.find((s) => s.title === 'Children')!
    expect(children.blocks).toEqual([
      'We do not knowingly collect data from children under 14.',
      'We delete such data when we learn of it:',
      '• within 30 days;',
      '• without asking again.',
    ])
    expect(p.sections.at(-1)!.blocks).toEqual(['Write to at any time.', 'Contact us by e-mail at dpo@acme.test.'])
  })

  it('never leaves a dangling preposition when the e-mail is not configured', () => {
    const p = parsePolicy(other, {})
    expect(p.sections.at(-1)!.blocks).toEqual(['Write to at any time.', 'Contact us by e-mail.'])
    expect(p.preamble).toEqual([])
  })
})
