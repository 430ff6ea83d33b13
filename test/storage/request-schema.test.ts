import { describe, expect, it } from 'vitest'
import { isShardData, isStoredRequest } from '../../src/storage/request-schema.js'

const good = {
  id: 'PR-20261130-ABC234',
  kind: 'rights',
  type: 'copy',
  state: 'verified',
  channel: 'wechat-oa',
  userId: 'o1',
  personal: { email: 'a@b.c', details: { k: 'v' } },
  createdAt: '2026-11-29T17:00:00.000Z',
  replies: [{ at: '2026-11-29T17:00:00.000Z', by: 'staff:s1' }],
  audit: [{ at: '2026-11-29T17:00:00.000Z', actor: 'user', action: 'created' }],
}

describe('stored request validation', () => {
  it('accepts a well-formed record and shard', () => {
    expect(isStoredRequest(good)).toBe(true)
    expect(isStoredRequest({ ...good, personal: null, futureField: 1 })).toBe(true)
    expect(isShardData({ version: 1, requests: { [good.id]: good } })).toBe(true)
  })

  it.each([
    ['bad state', { ...good, state: 'open' }],
    ['bad type', { ...good, type: 'erase' }],
    ['missing audit', { ...good, audit: undefined }],
    ['non-string detail', { ...good, personal: { details: { k: 1 } } }],
    ['bad reply', { ...good, replies: [{ at: 1 }] }],
  ])('rejects %s', (_label, record) => {
    expect(isStoredRequest(record)).toBe(false)
  })

  it('rejects a shard whose key differs from the id, or of another version', () => {
    expect(isShardData({ version: 1, requests: { 'PR-20261130-ZZZZZZ': good } })).toBe(false)
    expect(isShardData({ version: 2, requests: {} })).toBe(false)
    expect(isShardData({ version: 1, requests: [] })).toBe(false)
  })
})
