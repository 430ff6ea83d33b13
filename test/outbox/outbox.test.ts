import { stat } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Recipient } from '../../src/assistant/notifier.js'
import { createLogger, silentLogger } from '../../src/log.js'
import { createOutbox, type Outbox, type OutboxOptions } from '../../src/outbox/outbox.js'
import { wechatOaSender, type ChannelSender } from '../../src/outbox/sender.js'
import { createWindowTracker } from '../../src/outbox/window-tracker.js'
import { startFakeWechatApi, type FakeWechatApi } from '../support/fake-wechat-api.js'
import { ALICE, BOB, FAST_RETRY, apiClient, itemsOnDisk, makeEnv, texts, type Env } from './helpers.js'

const TEMPLATE_ID = 'TPL_request_update'
const template = { title: '您的请求已答复', requestId: 'PR-20261129-ABC123', status: 'replied' }

let api: FakeWechatApi
let env: Env
const opened: Outbox[] = []

async function outbox(overrides: Partial<OutboxOptions> = {}): Promise<Outbox> {
  const box = await createOutbox({
    file: env.outboxFile,
    clock: env.clock,
    logger: silentLogger(),
    held: env.held,
    senders: { 'wechat-oa': wechatOaSender(apiClient(api.baseUrl, env.clock), TEMPLATE_ID) },
    retry: FAST_RETRY,
    ...overrides,
  })
  opened.push(box)
  return box
}

beforeEach(async () => {
  api = await startFakeWechatApi()
  env = await makeEnv()
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()))
  await api.close()
  await env.cleanup()
})

describe('delivery', () => {
  it("sends at once, answers 'sent', and keeps nothing in the outbox", async () => {
    const box = await outbox()
    expect(await box.notify(ALICE, '您好，您的请求已处理。')).toBe('sent')
    expect(texts(api, ALICE.userId)).toEqual(['您好，您的请求已处理。'])
    expect(box.depth()).toBe(0)
    expect(await itemsOnDisk(env.outboxFile)).toEqual([])
    expect((await stat(env.outboxFile)).mode & 0o777).toBe(0o600)
  })

  it('also sends the template message with the request id and status', async () => {
    const box = await outbox()
    expect(await box.notify(ALICE, 'Reply text', { template })).toBe('sent')
    expect(api.templates).toEqual([
      expect.objectContaining({
        touser: ALICE.userId,
        templateId: TEMPLATE_ID,
        data: expect.objectContaining({ first: template.title, keyword1: template.requestId, keyword2: 'replied', remark: expect.any(String) }),
      }),
    ])
  })

  it('keeps delivering the text when the template fails', async () => {
    const box = await outbox()
    api.failNext({ errcode: 40037, errmsg: 'invalid template_id' }, 1, 'template')
    expect(await box.notify(ALICE, 'Reply text', { template })).toBe('sent')
    expect(texts(api, ALICE.userId)).toEqual(['Reply text'])
  })

  it('sends messages to one person in order', async () => {
    const box = await outbox()
    const results = await Promise.all(['one', 'two', 'three'].map((t) => box.notify(ALICE, t)))
    expect(results).toEqual(['sent', 'sent', 'sent'])
    expect(texts(api, ALICE.userId)).toEqual(['one', 'two', 'three'])
  })

  it("holds messages for a channel it cannot push to (answers 'held')", async () => {
    const box = await outbox()
    const cli: Recipient = { channel: 'cli', userId: 'terminal' }
    expect(await box.notify(cli, 'for the terminal')).toBe('held')
    expect(await env.held.take(cli)).toEqual(['for the terminal'])
  })
})

describe('sending switched off', () => {
  it("answers 'unsent', calls nothing, and keeps the message for the person's next reply", async () => {
    const lines: string[] = []
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk))
        done()
      },
    })
    // The window is known closed too: the configuration, not the window, is the reason given.
    const tracker = createWindowTracker()
    tracker.seen(ALICE, new Date(env.clock.now().getTime() - 49 * 3600_000))
    const box = await outbox({
      senders: {},
      sendingDisabled: { 'wechat-oa': 'credentials-not-configured' },
      windowTracker: tracker,
      logger: createLogger({ destination }),
    })
    expect(await box.notify(ALICE, 'Your request was answered', { template })).toBe('unsent')
    expect(await box.notify(BOB, 'Reminder')).toBe('unsent')
    expect(api.calls).toEqual({ stableToken: 0, token: 0, custom: 0, template: 0 })
    expect(await env.held.take(ALICE)).toEqual(['Your request was answered'])
    expect(await env.held.take(BOB)).toEqual(['Reminder'])
    expect(box.depth()).toBe(0)
    const log = lines.join('')
    expect(log).toContain('"reason":"credentials-not-configured"')
    expect(log).not.toContain('no-sender')
  })

  it('only switches off the channels named', async () => {
    const box = await outbox({ sendingDisabled: { wechaty: 'credentials-not-configured' } })
    expect(await box.notify(ALICE, 'goes')).toBe('sent')
  })
})

describe('closed 48-hour window', () => {
  it("holds the message on 45015 and answers 'held'", async () => {
    const box = await outbox()
    api.setWindowClosed(ALICE.userId, true)
    expect(await box.notify(ALICE, 'Your request was answered', { template })).toBe('held')
    expect(await env.held.take(ALICE)).toEqual(['Your request was answered'])
    expect(api.messages).toEqual([])
    expect(api.templates).toHaveLength(1) // templates reach users outside the window
    expect(box.depth()).toBe(0)
  })

  it.each([45047, 43004])('treats %i as a closed window too', async (errcode) => {
    const box = await outbox()
    api.failNext({ errcode })
    expect(await box.notify(ALICE, 'x')).toBe('held')
    expect(await env.held.take(ALICE)).toEqual(['x'])
  })

  it('holds without an API call when the window is known to be closed', async () => {
    const tracker = createWindowTracker()
    tracker.seen(ALICE, new Date(env.clock.now().getTime() - 49 * 3600_000))
    tracker.seen(BOB, new Date(env.clock.now().getTime() - 47 * 3600_000))
    const box = await outbox({ windowTracker: tracker })
    expect(await box.notify(ALICE, 'waits', { template })).toBe('held')
    expect(api.calls.custom).toBe(0)
    expect(api.tokenFetches).toBe(0)
    expect(await env.held.take(ALICE)).toEqual(['waits'])
    expect(await box.notify(BOB, 'goes')).toBe('sent')
    await box.close()
    expect(api.templates.map((t) => t.touser)).toEqual([ALICE.userId]) // the alert still went out
  })

  it('remembers a 45015 until the person writes again', async () => {
    const tracker = createWindowTracker()
    const box = await outbox({ windowTracker: tracker })
    api.setWindowClosed(ALICE.userId, true)
    expect(await box.notify(ALICE, 'first')).toBe('held')
    expect(await box.notify(ALICE, 'second')).toBe('held')
    expect(api.calls.custom).toBe(1)
    api.setWindowClosed(ALICE.userId, false)
    tracker.seen(ALICE, env.clock.now())
    expect(await box.notify(ALICE, 'third')).toBe('sent')
    expect(await env.held.take(ALICE)).toEqual(['first', 'second'])
  })

  it('holds an undeliverable message (invalid OpenID) instead of dropping it', async () => {
    const box = await outbox()
    api.failNext({ errcode: 40003 })
    expect(await box.notify(ALICE, 'x')).toBe('held')
    expect(await env.held.take(ALICE)).toEqual(['x'])
  })
})

describe('platform failures', () => {
  it("answers 'queued' while WeChat is down, then delivers in the background once it is back", async () => {
    const port = api.port
    await api.close()
    const box = await outbox()
    expect(await box.notify(ALICE, 'first')).toBe('queued')
    expect(await box.notify(ALICE, 'second')).toBe('queued')
    expect(box.depth()).toBe(2)
    expect((await itemsOnDisk(env.outboxFile)).map((i) => i.text)).toEqual(['first', 'second'])
    api = await startFakeWechatApi({ port })
    await vi.waitFor(() => expect(box.depth()).toBe(0), { timeout: 5000, interval: 20 })
    expect(texts(api, ALICE.userId)).toEqual(['first', 'second'])
    await vi.waitFor(async () => expect(await itemsOnDisk(env.outboxFile)).toEqual([]), { timeout: 2000, interval: 10 })
  })

  it("answers 'queued' when the platform is slower than the wait, and still delivers", async () => {
    const box = await outbox({ waitMs: 50 })
    api.failNext({ delayMs: 200 })
    expect(await box.notify(ALICE, 'slow')).toBe('queued')
    expect(await box.drain(3000)).toBe(true)
    expect(texts(api, ALICE.userId)).toEqual(['slow'])
  })

  it('holds the message once the attempts run out, so it is never lost', async () => {
    api.setDown(true)
    const box = await outbox({ retry: { ...FAST_RETRY, maxAttempts: 3 } })
    expect(await box.notify(ALICE, 'stubborn')).toBe('queued')
    await vi.waitFor(() => expect(box.depth()).toBe(0), { timeout: 5000, interval: 20 })
    expect(await env.held.take(ALICE)).toEqual(['stubborn'])
  })

  it('holds a message older than the maximum age after its next failure', async () => {
    api.setDown(true)
    const box = await outbox({ retry: { ...FAST_RETRY, maxAgeMs: 60_000 } })
    expect(await box.notify(ALICE, 'old')).toBe('queued')
    env.clock.advance(61_000)
    await vi.waitFor(() => expect(box.depth()).toBe(0), { timeout: 5000, interval: 20 })
    expect(await env.held.take(ALICE)).toEqual(['old'])
  })

  it('drain() retries now and reports whether the outbox emptied', async () => {
    api.setDown(true)
    const box = await outbox({ retry: { ...FAST_RETRY, baseDelayMs: 60_000, maxDelayMs: 60_000 } })
    expect(await box.notify(ALICE, 'x')).toBe('queued')
    expect(await box.drain(100)).toBe(false)
    api.setDown(false)
    expect(await box.drain(3000)).toBe(true)
    expect(texts(api, ALICE.userId)).toEqual(['x'])
  })
})

describe('crash safety', () => {
  it('writes the message to the outbox file before the first send attempt', async () => {
    const seenOnDisk: string[][] = []
    const sender: ChannelSender = {
      async send() {
        seenOnDisk.push((await itemsOnDisk(env.outboxFile)).map((i) => i.text))
      },
    }
    const box = await outbox({ senders: { 'wechat-oa': sender } })
    expect(await box.notify(ALICE, 'durable first')).toBe('sent')
    expect(seenOnDisk).toEqual([['durable first']])
  })

  it('a new outbox on the same file resends what was left in flight, once', async () => {
    // The first process "crashes" mid-send: its send never returns and it is never closed.
    const hanging: ChannelSender = { send: () => new Promise<void>(() => undefined) }
    const crashed = await createOutbox({ file: env.outboxFile, clock: env.clock, logger: silentLogger(), held: env.held, senders: { 'wechat-oa': hanging }, waitMs: 50 })
    expect(await crashed.notify(ALICE, 'staff reply')).toBe('queued')
    expect(await crashed.notify(BOB, 'reminder')).toBe('queued')

    const restarted = await outbox()
    expect(restarted.depth()).toBe(2)
    restarted.start()
    expect(await restarted.drain(3000)).toBe(true)
    expect(texts(api, ALICE.userId)).toEqual(['staff reply'])
    expect(texts(api, BOB.userId)).toEqual(['reminder'])

    const again = await outbox()
    again.start()
    expect(await again.drain(1000)).toBe(true)
    expect(api.messages).toHaveLength(2)
  })

  it('never resends a message once WeChat acknowledged it', async () => {
    const first = await outbox()
    expect(await first.notify(ALICE, 'once')).toBe('sent')
    await first.close()
    const second = await outbox()
    second.start()
    expect(await second.drain(500)).toBe(true)
    expect(api.messages).toHaveLength(1)
    expect(api.calls.custom).toBe(1)
  })

  it('close() lets the attempt in flight finish, then refuses new messages', async () => {
    const box = await outbox({ waitMs: 20 })
    api.failNext({ delayMs: 150 })
    expect(await box.notify(ALICE, 'in flight')).toBe('queued')
    await box.close()
    expect(texts(api, ALICE.userId)).toEqual(['in flight'])
    expect(box.depth()).toBe(0)
    await expect(box.notify(ALICE, 'late')).rejects.toThrow(/closed/)
  })
})

describe('logging', () => {
  it('logs outcomes with a user tag, never the text or the OpenID', async () => {
    const lines: string[] = []
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const box = await outbox({ logger: createLogger({ level: 'debug', destination }) })
    await box.notify(ALICE, 'private reply one')
    api.setWindowClosed(BOB.userId, true)
    await box.notify(BOB, 'private reply two')
    api.setDown(true)
    await box.notify(ALICE, 'private reply three')
    await box.close()
    const log = lines.join('')
    for (const event of ['outbox.sent', 'outbox.held', 'outbox.retry-later', 'outbox.closed']) expect(log).toContain(event)
    for (const secret of ['private reply', ALICE.userId, BOB.userId]) expect(log).not.toContain(secret)
  })
})
