import { describe, expect, it } from 'vitest'
import { toCsv } from '../../src/console/csv.js'
import { auditCsv, requestsCsv } from '../../src/console/exports.js'
import type { RightsRequest } from '../../src/requests/model.js'

describe('CSV exports', () => {
  it('starts with a BOM and a header row, ends lines with CRLF', () => {
    const csv = toCsv(['a', 'b'], [['1', 2]])
    expect(csv.startsWith('\uFEFFa,b\r\n')).toBe(true)
    expect(csv).toBe('\uFEFFa,b\r\n1,2\r\n')
  })

  it('quotes commas, quotes and line breaks', () => {
    expect(toCsv(['x'], [['a,b'], ['say "hi"'], ['two\nlines'], ['中文，逗号']])).toBe('\uFEFFx\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n中文，逗号\r\n')
  })

  it('defuses formulas: text starting with = + - @ gets a leading apostrophe; numbers stay numbers', () => {
    const csv = toCsv(['x'], [['=HYPERLINK("http://evil")'], ['+1'], ['-2+3'], ['@SUM(A1)'], [-3], ['ok']])
    const lines = csv.slice(1).split('\r\n')
    expect(lines.slice(1, 7)).toEqual(['"\'=HYPERLINK(""http://evil"")"', "'+1", "'-2+3", "'@SUM(A1)", '-3', 'ok'])
  })

  const request: RightsRequest = {
    id: 'PR-20261129-ABC234',
    kind: 'rights',
    type: 'delete',
    state: 'replied',
    channel: 'wechat-oa',
    userId: 'oSecretOpenId',
    personal: { name: 'Zhang San', email: 'zhang@example.org', details: { what: '=cmd|calc' } },
    createdAt: '2026-11-29T02:00:00.000Z',
    verifiedAt: '2026-11-29T03:00:00.000Z',
    dueAt: '2026-12-14T03:00:00.000Z',
    replies: [{ at: '2026-12-01T03:00:00.000Z', by: 'staff:oStaff', text: 'Deleted, Zhang San.' }],
    audit: [
      { at: '2026-11-29T02:00:00.000Z', actor: 'user', action: 'created', note: 'delete' },
      { at: '2026-11-29T03:00:00.000Z', actor: 'staff:oStaff', action: 'verified', via: 'console' },
      { at: '2026-12-01T03:00:00.000Z', actor: 'staff:oStaff', action: 'replied' },
      { at: '2026-12-02T03:00:00.000Z', actor: 'staff:oStaff', action: 'closed', note: '=1+1' },
    ],
  }

  it('the requests export has ids, dates and on-time, and no personal data or requester id', () => {
    const csv = requestsCsv([request], new Date('2026-12-05T00:00:00Z'))
    expect(csv).toContain('PR-20261129-ABC234,rights,delete,replied,wechat-oa,2026-11-29T02:00:00.000Z,2026-11-29,')
    expect(csv).toMatch(/,2026-12-14,2026-12-01T03:00:00.000Z,,1,yes,no\r\n$/)
    for (const secret of ['Zhang', 'zhang@example.org', 'oSecretOpenId', 'cmd|calc', 'Deleted']) expect(csv).not.toContain(secret)
  })

  it('the audit export has every entry, says which came through the console, and defuses notes', () => {
    const csv = auditCsv([request])
    expect(csv).toContain('PR-20261129-ABC234,2026-11-29T03:00:00.000Z,staff:oStaff,console,verified,')
    expect(csv).toContain('PR-20261129-ABC234,2026-12-01T03:00:00.000Z,staff:oStaff,chat,replied,')
    expect(csv).toContain(",closed,'=1+1")
  })
})
