import { describe, expect, it } from 'vitest'
import { isRequestId, newRequestId, parseRequestId, REQUEST_ID_PATTERN, requestIdMonth } from '../../src/requests/ids.js'

const at = (iso: string) => ({ now: () => new Date(iso) })

describe('request ids', () => {
  it('uses the Asia/Shanghai date of the clock', () => {
    expect(newRequestId(at('2026-11-29T17:00:00Z'))).toMatch(/^PR-20261130-[A-Z2-9]{6}$/)
    expect(newRequestId(at('2026-11-29T15:59:59Z'))).toMatch(/^PR-20261129-/)
    expect(newRequestId(at('2026-12-31T16:00:00Z'))).toMatch(/^PR-20270101-/)
  })

  it('has 6 unambiguous upper-case characters, drawn at random', () => {
    // 32^6 ids a day: two of 2,000 collide about once in 500 runs, so one collision is allowed (two: once in
    // half a million). The repository, not the id, guarantees uniqueness: a colliding create draws again.
    const ids = new Set(Array.from({ length: 2000 }, () => newRequestId(at('2026-11-29T00:00:00Z'))))
    expect(ids.size).toBeGreaterThanOrEqual(1999)
    for (const id of ids) {
      expect(id).toMatch(REQUEST_ID_PATTERN)
      expect(id.slice(12)).not.toMatch(/[01OI]/)
    }
  })

  it('validates case-insensitively and normalises to upper-case', () => {
    expect(isRequestId('PR-20261130-ABC234')).toBe(true)
    expect(parseRequestId('  pr-20261130-abc234 ')).toBe('PR-20261130-ABC234')
    for (const bad of ['PR-20261130-ABC23', 'PR-20261330-ABC234', 'PR-20261130-ABC0O1', 'XX-20261130-ABC234', 'PR-2026113-ABC234', '']) {
      expect(isRequestId(bad)).toBe(false)
    }
  })

  it('names its creation month', () => {
    expect(requestIdMonth('PR-20261130-ABC234')).toBe('2026-11')
  })
})
