import { describe, expect, it, vi } from 'vitest'
import { RecipientQueues, type AttemptResult } from '../../src/outbox/recipient-queue.js'

interface Msg {
  readonly key: string
  readonly text: string
}

/** Queues over an in-memory list; `outcome` decides each attempt (the message leaves unless retried). */
function setup(outcome: (m: Msg) => AttemptResult = () => ({ kind: 'sent' })) {
  const pending: Msg[] = []
  const tried: string[] = []
  const windowClosedSeen: boolean[] = []
  const waiting: string[] = []
  const queues = new RecipientQueues<Msg>({
    oldest: (key) => pending.find((m) => m.key === key),
    async attempt(m, windowClosed) {
      tried.push(m.text)
      windowClosedSeen.push(windowClosed)
      await new Promise((r) => setTimeout(r, 1))
      const result = outcome(m)
      if (result.kind !== 'retry') pending.splice(pending.indexOf(m), 1)
      return result
    },
    waitingForRetry: (key) => waiting.push(key),
  })
  const add = (key: string, ...texts: string[]): void => void pending.push(...texts.map((text) => ({ key, text })))
  return { queues, pending, tried, windowClosedSeen, waiting, add }
}

describe('RecipientQueues', () => {
  it("sends one person's messages one at a time, oldest first, with one run per person", async () => {
    const q = setup()
    q.add('a', 'a1', 'a2', 'a3')
    q.queues.sendNow('a')
    q.queues.sendNow('a')
    await vi.waitFor(() => expect(q.pending).toEqual([]), { timeout: 1000, interval: 5 })
    expect(q.tried).toEqual(['a1', 'a2', 'a3'])
  })

  it("tells later attempts in the run that the person's window closed", async () => {
    const q = setup((m) => (m.text === 'a1' ? { kind: 'held', windowClosed: true } : { kind: 'held', windowClosed: false }))
    q.add('a', 'a1', 'a2')
    q.queues.sendNow('a')
    await vi.waitFor(() => expect(q.pending).toEqual([]), { timeout: 1000, interval: 5 })
    expect(q.windowClosedSeen).toEqual([false, true])
  })

  it('after a failure the whole queue waits for the retry; other people do not', async () => {
    let failures = 1
    const q = setup((m) => (m.key === 'a' && failures-- > 0 ? { kind: 'retry', delayMs: 40 } : { kind: 'sent' }))
    q.add('a', 'a1', 'a2')
    q.add('b', 'b1')
    q.queues.sendNow('a')
    q.queues.sendNow('b')
    await vi.waitFor(() => expect(q.waiting).toEqual(['a']), { timeout: 1000, interval: 5 })
    expect(q.queues.isWaitingForRetry('a')).toBe(true)
    await vi.waitFor(() => expect(q.pending).toEqual([]), { timeout: 1000, interval: 5 })
    expect(q.tried.filter((t) => t.startsWith('a'))).toEqual(['a1', 'a1', 'a2'])
    expect(q.queues.isWaitingForRetry('a')).toBe(false)
  })

  it('close() cancels the retry and waits for the attempt in flight; sendNow after it does nothing', async () => {
    const q = setup(() => ({ kind: 'retry', delayMs: 10 }))
    q.add('a', 'a1')
    q.queues.sendNow('a')
    await q.queues.close()
    expect(q.tried).toEqual(['a1'])
    q.queues.sendNow('a')
    await new Promise((r) => setTimeout(r, 30))
    expect(q.tried).toEqual(['a1'])
    expect(q.queues.isWaitingForRetry('a')).toBe(false)
  })
})
