import { describe, expect, it } from 'vitest'
import { CUSTOMER_SERVICE_WINDOW_MS, createWindowTracker } from '../../src/outbox/window-tracker.js'

const alice = { channel: 'wechat-oa', userId: 'oAlice' }
const t0 = new Date('2026-11-29T02:00:00Z')
const at = (ms: number): Date => new Date(t0.getTime() + ms)

describe('createWindowTracker', () => {
  it('does not know about people it has not seen (after a restart)', () => {
    expect(createWindowTracker().isClosed(alice, t0)).toBe(false)
  })

  it('is open for 48 hours after the last message, then closed', () => {
    const tracker = createWindowTracker()
    tracker.seen(alice, t0)
    expect(tracker.isClosed(alice, at(CUSTOMER_SERVICE_WINDOW_MS - 1))).toBe(false)
    expect(tracker.isClosed(alice, at(CUSTOMER_SERVICE_WINDOW_MS))).toBe(true)
    tracker.seen(alice, at(CUSTOMER_SERVICE_WINDOW_MS + 10))
    expect(tracker.isClosed(alice, at(CUSTOMER_SERVICE_WINDOW_MS + 20))).toBe(false)
  })

  it('stays closed after a platform refusal until the person writes again', () => {
    const tracker = createWindowTracker()
    tracker.seen(alice, t0)
    tracker.closed!(alice, at(1000))
    expect(tracker.isClosed(alice, at(2000))).toBe(true)
    tracker.seen(alice, at(3000))
    expect(tracker.isClosed(alice, at(4000))).toBe(false)
  })

  it('keeps its memory bounded by forgetting expired entries first', () => {
    const tracker = createWindowTracker({ windowMs: 1000, maxEntries: 3 })
    for (let i = 0; i < 3; i++) tracker.seen({ channel: 'c', userId: `u${i}` }, t0)
    tracker.seen({ channel: 'c', userId: 'late' }, at(5000))
    // u0 was forgotten: unknown again, so the platform will be asked.
    expect(tracker.isClosed({ channel: 'c', userId: 'u0' }, at(5000))).toBe(false)
    expect(tracker.isClosed({ channel: 'c', userId: 'u1' }, at(5000))).toBe(true)
  })
})
