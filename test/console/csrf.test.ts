import { describe, expect, it } from 'vitest'
import { checkPost } from '../../src/console/csrf.js'
import { csrfToken } from '../../src/console/tokens.js'

const ORIGIN = 'https://console.jiku.example'
const SECRET = 'session-secret-0123456789abcdefghijklmnop'
const good = csrfToken(SECRET)

describe('CSRF check of console form posts', () => {
  it('accepts our origin with the session token', () => {
    expect(checkPost({ origin: ORIGIN, secFetchSite: 'same-origin', token: good }, SECRET, ORIGIN)).toBeUndefined()
  })
  it('accepts a missing Origin only with the right token', () => {
    expect(checkPost({ origin: '', secFetchSite: '', token: good }, SECRET, ORIGIN)).toBeUndefined()
    expect(checkPost({ origin: '', secFetchSite: '', token: undefined }, SECRET, ORIGIN)).toBe('bad-token')
  })
  it('refuses a foreign origin even with the right token', () => {
    expect(checkPost({ origin: 'https://evil.example', secFetchSite: 'cross-site', token: good }, SECRET, ORIGIN)).toBe('foreign-origin')
    expect(checkPost({ origin: 'http://console.jiku.example', secFetchSite: '', token: good }, SECRET, ORIGIN)).toBe('foreign-origin')
  })
  it('reads Origin "null" (our own no-referrer pages) as no Origin: same-origin with the token passes, another site does not', () => {
    expect(checkPost({ origin: 'null', secFetchSite: 'same-origin', token: good }, SECRET, ORIGIN)).toBeUndefined()
    expect(checkPost({ origin: 'null', secFetchSite: 'same-origin', token: undefined }, SECRET, ORIGIN)).toBe('bad-token')
    expect(checkPost({ origin: 'null', secFetchSite: 'cross-site', token: good }, SECRET, ORIGIN)).toBe('cross-site')
    expect(checkPost({ origin: 'null', secFetchSite: 'same-site', token: good }, SECRET, ORIGIN)).toBe('cross-site')
  })
  it('refuses a cross-site fetch without Origin', () => {
    expect(checkPost({ origin: '', secFetchSite: 'cross-site', token: good }, SECRET, ORIGIN)).toBe('cross-site')
  })
  it('refuses a missing, wrong or another session’s token', () => {
    expect(checkPost({ origin: ORIGIN, secFetchSite: '', token: undefined }, SECRET, ORIGIN)).toBe('bad-token')
    expect(checkPost({ origin: ORIGIN, secFetchSite: '', token: 'nope' }, SECRET, ORIGIN)).toBe('bad-token')
    expect(checkPost({ origin: ORIGIN, secFetchSite: '', token: csrfToken('another-session') }, SECRET, ORIGIN)).toBe('bad-token')
  })
})
