import { FileBox } from 'file-box'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WechatyDoor } from '../../../src/channels/wechaty/bot.js'
import { idIn } from '../../support/harness.js'
import { Chat, realAssistant, STAFF_ROOM, startWorld, type ContactMock, type RoomMock } from './world.js'

/** A real Wechaty on the mock puppet, driving the real assistant with the shipped policy. */
describe('Wechaty door with the real assistant', () => {
  let world: Awaited<ReturnType<typeof startWorld>>
  let app: ReturnType<typeof realAssistant>
  let alice: ContactMock
  let staffer: ContactMock
  let staffRoom: RoomMock
  let aliceChat: Chat
  let roomChat: Chat

  beforeEach(async () => {
    let door: WechatyDoor | undefined
    app = realAssistant(() => door, {
      consoleLinks: { issue: async (_actor, now) => ({ url: 'https://console.jiku.example/console/login?token=secret-link', expiresAt: new Date(now.getTime() + 600_000) }) },
    })
    world = await startWorld({ assistant: app.assistant, clock: app.clock })
    door = world.door
    alice = world.mocker.createContact({ name: '王小明' })
    staffer = world.mocker.createContact({ name: '李主管' })
    staffRoom = world.mocker.createRoom({ topic: STAFF_ROOM, memberIdList: [world.me.id, staffer.id] })
    aliceChat = world.chatWithBot(alice)
    roomChat = world.chatInRoom(staffer, staffRoom)
  })

  afterEach(async () => {
    await world.stop()
  })

  it('answers a Chinese policy question by quoting the policy', async () => {
    const answer = await aliceChat.say('你们会出售我的信息吗')
    expect(answer).toContain('do not sell or rent')
    expect(answer).toContain('How we share your data')
  })

  it('files a rights request in conversation; staff list, verify and reply from the staff room and the requester is told', async () => {
    expect(await aliceChat.say('请删除我的个人信息')).toMatch(/姓名/)
    expect(await aliceChat.say('王小明')).toMatch(/手机|邮箱/)
    expect(await aliceChat.say('13812345678')).toMatch(/公司/)
    expect(await aliceChat.say('跳过')).toContain('确认')
    const done = await aliceChat.say('确认')
    const id = idIn(done)
    const [stored] = await app.storage.requests.list()
    expect(stored).toMatchObject({ id, channel: 'wechaty', userId: alice.id, type: 'delete', state: 'submitted' })

    const list = await roomChat.say('/list')
    expect(list).toContain(id)

    const heardBefore = aliceChat.heard.length
    const verified = await roomChat.say(`/verify ${id}`)
    expect(verified).toMatch(/已核验|Verified/)
    expect(verified).toContain('Delivered to the requester')
    expect(await aliceChat.next(heardBefore)).toContain(id)

    const replied = await roomChat.say(`/reply ${id} 您的信息已删除。`)
    expect(replied).toContain(`Reply to ${id} recorded`)
    expect(replied).toContain('Delivered to the requester')
    expect(await aliceChat.next(heardBefore + 1)).toContain('您的信息已删除。')
    expect((await app.storage.requests.get(id))?.state).toBe('replied')
  })

  it('takes a command addressed to the bot with an @mention in the staff room', async () => {
    const reply = await roomChat.say(`@${world.me.payload.name} /list`, [world.me])
    expect(reply).toMatch(/No requests|Requests/)
  })

  it('tells a non-staff contact nothing about requests when they type /list', async () => {
    await aliceChat.say('请删除我的个人信息')
    await aliceChat.say('王小明')
    await aliceChat.say('13812345678')
    await aliceChat.say('跳过')
    const id = idIn(await aliceChat.say('确认'))
    const mallory = world.mocker.createContact({ name: 'Mallory' })
    const reply = await world.chatWithBot(mallory).say('/list')
    expect(reply).not.toContain(id)
    expect(reply).not.toMatch(/PR-\d{8}/)
    expect(reply).toMatch(/无法识别该命令|I don’t know that command/)
    expect(world.door.isStaff({ channel: 'wechaty', userId: mallory.id })).toBe(false)
  })

  it('treats staff-room members and listed staff ids as staff in private chats too', async () => {
    expect(await world.chatWithBot(staffer).say('/list')).toMatch(/No requests/)
    expect(world.door.isStaff({ channel: 'wechaty', userId: staffer.id })).toBe(true)
    expect(world.door.isStaff({ channel: 'wechat-oa', userId: staffer.id })).toBe(false)
  })

  it("never posts a staff member's held notice in the staff room; it comes in their private chat", async () => {
    await app.held.hold({ channel: 'wechaty', userId: staffer.id }, '仅限李主管的消息 private to this staff member')
    for (const command of ['/list', `@${world.me.payload.name} /help`]) {
      const mentions = command.startsWith('@') ? [world.me] : []
      expect(await roomChat.say(command, mentions)).not.toContain('private to this staff member')
    }
    expect(await world.chatWithBot(staffer).say('你好')).toContain('private to this staff member')
  })

  it('sends the answer to /console in the staff room to the asker privately: a sign-in link is for one person', async () => {
    const privateChat = world.chatWithBot(staffer)
    expect(await roomChat.say('/console')).toMatch(/sent to you in a private chat/)
    expect(await privateChat.next(0)).toContain('/console/login?token=secret-link')
    expect(roomChat.heard.join('\n')).not.toContain('secret-link')
  })

  it('posts reminders in the staff room', async () => {
    const before = roomChat.heard.length
    expect(await world.door.staffRoomNotifier().postToStaff('提醒：PR-20261129-ABC123 将于 2 天后到期。')).toBe(true)
    expect(await roomChat.next(before)).toBe('提醒：PR-20261129-ABC123 将于 2 天后到期。')
  })

  it('answers a picture with the please-type-your-question text', async () => {
    const reply = await aliceChat.say(FileBox.fromUrl('https://example.invalid/photo.jpg'))
    expect(reply).toMatch(/无法识别图片/)
    expect(reply).toMatch(/Please type your question/)
  })

  it('ignores chatter in the staff room and every message in other rooms', async () => {
    const other = world.mocker.createRoom({ topic: '家人群', memberIdList: [world.me.id, alice.id, staffer.id] })
    const otherChat = world.chatInRoom(staffer, other)
    const aliceInOther = world.chatInRoom(alice, other)
    roomChat.send('大家好，今天开会吗？')
    otherChat.send('/list')
    aliceInOther.send('你们会出售我的信息吗')
    // Each person's messages are handled in order, so once their next message is answered the ones above were handled too.
    expect(await roomChat.say('/help')).toContain('/list')
    expect(await aliceChat.say('帮助')).toBeTruthy()
    expect(roomChat.heard).toHaveLength(1)
    expect(otherChat.heard).toEqual([])
    expect(aliceInOther.heard).toEqual([])
  })
})
