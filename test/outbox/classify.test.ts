import { describe, expect, it } from 'vitest'
import {
  beforeSending,
  classifySendResult,
  describeError,
  retryDelay,
  type OutboxRetryPolicy,
} from '../../src/outbox/classify.js'
import { UndeliverableError, WindowClosedError } from '../../src/outbox/errors.js'
import type { OutboxItem } from '../../src/outbox/outbox-store.js'
import { ALICE } from './helpers.js'

const POLICY: OutboxRetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 10_000, maxAttempts: 5, maxAgeMs: 3600_000 }
const CREATED = new Date('2026-11-29T02:00:00Z')
const item: OutboxItem = { id: 'id-1', seq: 1, to: ALICE, text: 'Your request was answered', createdAt: CREATED.toISOString(), attempts: 0 }
const after = (ms: number): Date => new Date(CREATED.getTime() + ms)
const failed = (error: unknown) => ({ ok: false, error }) as const
const sender = { name: 'sender' }

describe('beforeSending', () => {
  it('sends with the channel sender when nothing stands in the way', () => {
    expect(beforeSending(item, { sender, windowKnownClosed: false })).toEqual({ kind: 'send', sender })
  })

  it("holds as 'unsent' when sending is switched off, whatever the window or sender", () => {
    expect(beforeSending(item, { disabled: 'credentials-not-configured', windowKnownClosed: true })).toMatchObject({
      kind: 'hold',
      item,
      reason: 'credentials-not-configured',
      windowClosed: false,
      delivery: 'unsent',
    })
  })

  it('holds when the channel has no sender', () => {
    expect(beforeSending(item, { windowKnownClosed: true })).toMatchObject({ kind: 'hold', reason: 'no-sender', windowClosed: false, delivery: 'held' })
  })

  it('holds without sending when the window is known closed', () => {
    expect(beforeSending(item, { sender, windowKnownClosed: true })).toMatchObject({ kind: 'hold', reason: 'window-known-closed', windowClosed: true, delivery: 'held' })
  })
})

describe('classifySendResult', () => {
  it('a send that resolved is delivered', () => {
    expect(classifySendResult(item, { ok: true }, POLICY, after(0))).toEqual({ kind: 'delivered' })
  })

  it('a closed window holds the message and marks the window closed', () => {
    expect(classifySendResult(item, failed(new WindowClosedError(45015)), POLICY, after(0))).toEqual({
      kind: 'hold',
      item,
      reason: 'window-closed',
      windowClosed: true,
      code: '45015',
      delivery: 'held',
    })
  })

  it('an undeliverable message is held, not retried', () => {
    expect(classifySendResult(item, failed(new UndeliverableError(40003)), POLICY, after(0))).toMatchObject({
      kind: 'hold',
      item,
      reason: 'undeliverable',
      windowClosed: false,
      code: '40003',
    })
  })

  it('any other failure is retried after the base delay, with the attempt and error recorded', () => {
    expect(classifySendResult(item, failed(Object.assign(new Error('busy'), { errcode: -1 })), POLICY, after(0))).toEqual({
      kind: 'retry',
      item: { ...item, attempts: 1, lastError: '-1' },
      delayMs: 1_000,
    })
  })

  it('backs off further with each failed attempt', () => {
    const third = classifySendResult({ ...item, attempts: 2 }, failed(new Error('down')), POLICY, after(0))
    expect(third).toMatchObject({ kind: 'retry', item: { attempts: 3, lastError: 'Error' }, delayMs: 4_000 })
  })

  it('gives up after the last allowed attempt: held with the failure counted', () => {
    expect(classifySendResult({ ...item, attempts: 4 }, failed(new TypeError('fetch failed')), POLICY, after(0))).toEqual({
      kind: 'hold',
      item: { ...item, attempts: 5, lastError: 'TypeError' },
      reason: 'gave-up',
      windowClosed: false,
      code: 'TypeError',
      delivery: 'held',
    })
  })

  it('gives up on a message that reached the maximum age, even on its first failure', () => {
    expect(classifySendResult(item, failed(new Error('down')), POLICY, after(POLICY.maxAgeMs - 1))).toMatchObject({ kind: 'retry' })
    expect(classifySendResult(item, failed(new Error('down')), POLICY, after(POLICY.maxAgeMs))).toMatchObject({
      kind: 'hold',
      reason: 'gave-up',
      item: { attempts: 1 },
    })
  })
})

describe('retryDelay', () => {
  it('doubles from the base delay and stops at the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map((attempts) => retryDelay(POLICY, attempts))).toEqual([1_000, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000])
  })
})

describe('describeError', () => {
  it('prefers the platform code, then a code or reason, then the name', () => {
    expect(describeError({ errcode: 45015, code: 'X', name: 'WechatApiError' })).toBe('45015')
    expect(describeError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED')
    expect(describeError({ reason: 'timeout' })).toBe('timeout')
    expect(describeError(new RangeError('x'))).toBe('RangeError')
    expect(describeError('a string')).toBe('string')
    expect(describeError(undefined)).toBe('undefined')
  })
})
