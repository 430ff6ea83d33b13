import { describe, expect, it } from 'vitest'
import type { Incoming, Reply } from '../../../src/assistant/types.js'
import { FakeAssistant } from '../../support/fake-assistant.js'
import { harness, messageXml, parseReply, signedQuery, textXml } from './helpers.js'

/** A promise the test resolves by hand, to hold the assistant mid-answer. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('WeChat retries', () => {
  it('asks the assistant once for three sequential deliveries of one MsgId, all get the same reply', async () => {
    let n = 0
    const h = harness({ assistant: new FakeAssistant(async () => ({ text: `answer ${++n}` })) })
    const body = textXml('retry me', '9000000000000000001')
    const query = signedQuery(h.clock.seconds) // WeChat resends the request as it was
    const replies = []
    for (let i = 0; i < 3; i++) {
      replies.push(parseReply((await h.post(body, query)).text).Content)
      h.clock.seconds += 5 // WeChat waits 5 s between attempts
    }
    expect(replies).toEqual(['answer 1', 'answer 1', 'answer 1'])
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('shares one in-flight answer among concurrent deliveries', async () => {
    const gate = deferred<Reply | null>()
    const h = harness({ assistant: new FakeAssistant(() => gate.promise) })
    const body = textXml('concurrent', '9000000000000000002')
    const query = signedQuery(h.clock.seconds)
    const pending = [h.post(body, query), h.post(body, query), h.post(body, query)].map((t) => t.then((r) => r))
    await new Promise((r) => setTimeout(r, 30))
    gate.resolve({ text: 'one answer' })
    const results = await Promise.all(pending)
    expect(results.map((r) => parseReply(r.text).Content)).toEqual(['one answer', 'one answer', 'one answer'])
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('distinguishes different MsgIds and different users', async () => {
    const h = harness()
    await h.post(textXml('a', '1'))
    await h.post(textXml('b', '2'))
    await h.post(textXml('c', '1', 'oOtherUser'))
    expect(h.assistant.calls).toHaveLength(3)
  })

  it('dedupes event retries by sender + CreateTime', async () => {
    const h = harness()
    const body = messageXml({ MsgType: 'event', Event: 'CLICK', EventKey: 'RIGHTS' })
    const query = signedQuery(h.clock.seconds)
    const results = await Promise.all([h.post(body, query), h.post(body, query)])
    results.push(await h.post(body, query))
    expect(results.map((r) => parseReply(r.text).Content)).toEqual(['kind:menu', 'kind:menu', 'kind:menu'])
    expect(h.assistant.calls).toHaveLength(1)
  })

  it('answers "success" when the assistant is slow, and the retry carries the real reply', async () => {
    const gate = deferred<Reply | null>()
    const late: Array<[Incoming, Reply]> = []
    const h = harness({ replyBudgetMs: 150, assistant: new FakeAssistant(() => gate.promise), onLateReply: (i, r) => late.push([i, r]) })
    const body = textXml('slow question', '9000000000000000003')
    const query = signedQuery(h.clock.seconds)
    const first = await h.post(body, query)
    expect(first.status).toBe(200)
    expect(first.text).toBe('success')

    const retry = h.post(body, query).then((r) => r)
    await new Promise((r) => setTimeout(r, 30)) // the retry is now waiting on the same answer
    gate.resolve({ text: 'worth the wait' })
    expect(parseReply((await retry).text).Content).toBe('worth the wait')
    expect(h.assistant.calls).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 10))
    expect(late).toHaveLength(0) // the retry delivered it; the late hook must not send it again
  })

  it('hands a late reply to onLateReply when no retry carried it', async () => {
    const gate = deferred<Reply | null>()
    const late: Array<[Incoming, Reply]> = []
    const h = harness({ replyBudgetMs: 20, assistant: new FakeAssistant(() => gate.promise), onLateReply: (i, r) => late.push([i, r]) })
    expect((await h.post(textXml('slow', '9000000000000000004'))).text).toBe('success')
    gate.resolve({ text: 'late answer' })
    await new Promise((r) => setTimeout(r, 10))
    expect(late).toHaveLength(1)
    expect(late[0]?.[0]).toMatchObject({ kind: 'text', userId: 'oUserOpenId_alice' })
    expect(late[0]?.[1]).toEqual({ text: 'late answer' })
  })

  it('does not re-run a failing message on retry: every delivery gets the apology', async () => {
    const h = harness({ assistant: new FakeAssistant(() => Promise.reject(new Error('boom'))) })
    const body = textXml('x', '9000000000000000005')
    const query = signedQuery(h.clock.seconds)
    const a = parseReply((await h.post(body, query)).text).Content
    const b = parseReply((await h.post(body, query)).text).Content
    expect(a).toContain('Sorry')
    expect(b).toBe(a)
    expect(h.assistant.calls).toHaveLength(1)
  })
})
