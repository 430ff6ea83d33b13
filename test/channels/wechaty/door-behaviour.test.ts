import { Writable } from 'node:stream'
import { FileBox } from 'file-box'
import { types } from 'wechaty'
import { afterEach, describe, expect, it } from 'vitest'
import { createHeldNotices } from '../../../src/assistant/held-notices.js'
import type { Assistant, Incoming, Reply } from '../../../src/assistant/types.js'
import { WechatyDeliveryError } from '../../../src/channels/wechaty/notifier.js'
import { createLogger } from '../../../src/log.js'
import { MemoryKeyValueStore } from '../../../src/storage/conversation-store.js'
import { TestClock } from '../../support/test-clock.js'
import { STAFF_ROOM, startWorld, waitFor } from './world.js'

/**
 * A file message with a chosen media type: the mock puppet types voice only for 'audio/silk' (which no
 * file name maps to) and attachments only by extension (media type 'application/octet-stream').
 */
const media = (name: string, mediaType: string): FileBox => Object.assign(FileBox.fromUrl(`https://example.invalid/${name}`), { _mediaType: mediaType })

/** An assistant double: echoes text, says nothing for 'unknown', fails on "boom", waits on a gate for "slow". */
function echoAssistant() {
  const seen: Incoming[] = []
  let open: () => void = () => undefined
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  const assistant: Assistant = {
    async handle(incoming): Promise<Reply | null> {
      seen.push(incoming)
      if (incoming.kind === 'unknown') return null
      if (incoming.text.startsWith('boom')) throw new Error(`failed on ${incoming.text}`)
      if (incoming.text.startsWith('slow')) await gate
      return { text: `echo:${incoming.kind}:${incoming.text}` }
    },
  }
  return { assistant, seen, openGate: () => open() }
}

/** A logger writing into an array of lines, to check what reaches the log. */
function captureLogger() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  })
  return { logger: createLogger({ level: 'debug', destination }), lines }
}

describe('Wechaty door behaviour', () => {
  let stop: (() => Promise<void>) | undefined
  afterEach(async () => {
    await stop?.()
    stop = undefined
  })

  async function world(options: Parameters<typeof startWorld>[0]) {
    const w = await startWorld(options)
    stop = w.stop
    return w
  }

  it('maps private messages to Incoming kinds and says nothing when the assistant has nothing to say', async () => {
    const echo = echoAssistant()
    const w = await world({ assistant: echo.assistant })
    const alice = w.mocker.createContact({ name: 'Alice' })
    const chat = w.chatWithBot(alice)
    expect(await chat.say('hello')).toBe('echo:text:hello')
    expect(await chat.say(FileBox.fromUrl('https://example.invalid/a.png'))).toBe('echo:image:')
    expect(await chat.say(media('a.silk', 'audio/silk'))).toBe('echo:voice:')
    expect(await chat.say(FileBox.fromUrl('https://example.invalid/a.mp4'))).toBe('echo:video:')
    expect(await chat.say(media('a.pdf', 'application/octet-stream'))).toBe('echo:file:')
    chat.from.say(FileBox.fromUrl('https://example.invalid/a.zip')).to(w.me)
    expect(await chat.say('after')).toBe('echo:text:after')
    expect(chat.heard).toHaveLength(6)
    expect(echo.seen.map((i) => i.kind)).toEqual(['text', 'image', 'voice', 'video', 'file', 'unknown', 'text'])
    expect(echo.seen[0]).toMatchObject({ channel: 'wechaty', userId: alice.id, kind: 'text', text: 'hello' })
  })

  it("handles one person's messages in order while others are answered meanwhile", async () => {
    const echo = echoAssistant()
    const w = await world({ assistant: echo.assistant })
    const alice = w.mocker.createContact({ name: 'Alice' })
    const bob = w.mocker.createContact({ name: 'Bob' })
    const aliceChat = w.chatWithBot(alice)
    aliceChat.send('slow 1')
    aliceChat.send('fast 2')
    aliceChat.send('fast 3')
    // Bob is not stuck behind Alice's slow turn.
    expect(await w.chatWithBot(bob).say('hi')).toBe('echo:text:hi')
    expect(aliceChat.heard).toEqual([])
    echo.openGate()
    await aliceChat.next(2)
    expect(aliceChat.heard).toEqual(['echo:text:slow 1', 'echo:text:fast 2', 'echo:text:fast 3'])
  })

  it('apologises when the assistant fails, keeps running, and logs neither text, names nor ids', async () => {
    const echo = echoAssistant()
    const { logger, lines } = captureLogger()
    const w = await world({ assistant: echo.assistant, logger })
    const alice = w.mocker.createContact({ name: 'Alice Secretname' })
    const chat = w.chatWithBot(alice)
    expect(await chat.say('boom 13812345678')).toMatch(/抱歉.*Sorry/s)
    expect(await chat.say('still there?')).toBe('echo:text:still there?')
    const log = lines.join('')
    expect(log).toContain('"outcome":"error"')
    expect(log).toContain('"errorName":"Error"')
    for (const secret of ['13812345678', 'boom', 'still there', 'Secretname', alice.id]) expect(log).not.toContain(secret)
  })

  it('ignores official accounts', async () => {
    const echo = echoAssistant()
    const { logger, lines } = captureLogger()
    const w = await world({ assistant: echo.assistant, logger })
    const news = w.mocker.createContact({ name: 'News', type: types.Contact.Official })
    w.chatWithBot(news).send('今日新闻')
    await waitFor(() => (lines.some((l) => l.includes('"reason":"official-account"')) ? true : undefined))
    expect(echo.seen).toEqual([])
  })

  it('treats listed staff ids as staff without any staff room', async () => {
    const echo = echoAssistant()
    const w = await world({ assistant: echo.assistant, staffRoomTopic: undefined, staffIds: new Set(['placeholder']) })
    const alice = w.mocker.createContact({ name: 'Alice' })
    expect(w.door.isStaff({ channel: 'wechaty', userId: 'placeholder' })).toBe(true)
    expect(w.door.isStaff({ channel: 'wechaty', userId: alice.id })).toBe(false)
    expect(w.door.isStaff({ channel: 'wechat-oa', userId: 'placeholder' })).toBe(false)
    expect(await w.door.staffRoomNotifier().postToStaff('hello')).toBe(false)
  })

  it('trusts no staff room when two rooms share its topic', async () => {
    const echo = echoAssistant()
    const { logger, lines } = captureLogger()
    const w = await world({ assistant: echo.assistant, logger })
    const staffer = w.mocker.createContact({ name: 'Staffer' })
    const mallory = w.mocker.createContact({ name: 'Mallory' })
    const real = w.mocker.createRoom({ topic: STAFF_ROOM, memberIdList: [w.me.id, staffer.id] })
    const fake = w.mocker.createRoom({ topic: STAFF_ROOM, memberIdList: [w.me.id, mallory.id] })
    w.chatInRoom(mallory, fake).send('/list')
    w.chatInRoom(staffer, real).send('/list')
    expect(await w.door.staffRoomNotifier().postToStaff('reminder')).toBe(false)
    await w.chatWithBot(mallory).say('hi')
    await w.chatWithBot(staffer).say('hi')
    expect(echo.seen.map((i) => i.text)).toEqual(['hi', 'hi'])
    expect(w.door.isStaff({ channel: 'wechaty', userId: mallory.id })).toBe(false)
    expect(lines.join('')).toContain('wechaty.staff_room.ambiguous')
  })

  it('follows staff room membership and renames', async () => {
    const echo = echoAssistant()
    const w = await world({ assistant: echo.assistant })
    const staffer = w.mocker.createContact({ name: 'Staffer' })
    const newcomer = w.mocker.createContact({ name: 'Newcomer' })
    const room = w.mocker.createRoom({ topic: STAFF_ROOM, memberIdList: [w.me.id, staffer.id] })
    const stafferDm = w.chatWithBot(staffer)
    await stafferDm.say('/list')
    expect(w.door.isStaff({ channel: 'wechaty', userId: staffer.id })).toBe(true)
    expect(w.door.isStaff({ channel: 'wechaty', userId: newcomer.id })).toBe(false)

    // The puppet reports membership changes a moment later; the door acts on the report.
    const event = (name: 'room-join' | 'room-leave' | 'room-topic') => new Promise<void>((resolve) => w.door.bot.once(name as 'room-join', () => resolve()))
    let reported = event('room-join')
    room.add(newcomer).by(staffer)
    await reported
    await w.chatWithBot(newcomer).say('/list')
    expect(w.door.isStaff({ channel: 'wechaty', userId: newcomer.id })).toBe(true)

    reported = event('room-leave')
    room.remove(staffer).by(newcomer)
    await reported
    await stafferDm.say('/list')
    expect(w.door.isStaff({ channel: 'wechaty', userId: staffer.id })).toBe(false)

    reported = event('room-topic')
    room.topic('午饭群').by(newcomer)
    await reported
    expect(await w.door.staffRoomNotifier().postToStaff('reminder')).toBe(false)
    await w.chatWithBot(newcomer).say('/list')
    expect(w.door.isStaff({ channel: 'wechaty', userId: newcomer.id })).toBe(false)
  })

  it('notifies a contact by id, holds when the contact cannot be reached, and refuses other channels', async () => {
    const echo = echoAssistant()
    const clock = new TestClock()
    const held = createHeldNotices(new MemoryKeyValueStore<{ texts: string[] }>(clock))
    const w = await world({ assistant: echo.assistant, clock, held })
    const alice = w.mocker.createContact({ name: 'Alice' })
    const chat = w.chatWithBot(alice)
    expect(await w.door.notifier.notify({ channel: 'wechaty', userId: alice.id }, '您的申请已核验。')).toBe('sent')
    expect(await chat.next(0)).toBe('您的申请已核验。')

    const gone = { channel: 'wechaty', userId: 'no-such-contact' }
    expect(await w.door.notifier.notify(gone, '稍后送达')).toBe('held')
    expect(await held.take(gone)).toEqual(['稍后送达'])
    await expect(w.door.notifier.notify({ channel: 'wechat-oa', userId: alice.id }, 'x')).rejects.toBeInstanceOf(WechatyDeliveryError)
  })

  it('rejects a notice it can neither send nor hold', async () => {
    const w = await world({ assistant: echoAssistant().assistant })
    await expect(w.door.notifier.notify({ channel: 'wechaty', userId: 'no-such-contact' }, 'x')).rejects.toMatchObject({ reason: 'no-contact' })
  })

  it('starts from a puppet package name and stops cleanly', async () => {
    const { startWechatyDoor } = await import('../../../src/channels/wechaty/bot.js')
    const { logger, lines } = captureLogger()
    const door = await startWechatyDoor({ assistant: echoAssistant().assistant, logger, clock: new TestClock(), puppet: 'wechaty-puppet-mock', puppetToken: 'token-for-test', staffIds: new Set() })
    expect(door.bot.isLoggedIn).toBe(false)
    await door.stop()
    expect(lines.join('')).toContain('wechaty.stopped')
    expect(lines.join('')).not.toContain('token-for-test')
  })
})
