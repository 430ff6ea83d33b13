import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildServices, type Services } from '../../../src/compose.js'
import { loadConfig } from '../../../src/config.js'
import { silentLogger } from '../../../src/log.js'
import { TestClock } from '../../support/test-clock.js'
import { ManualScheduler } from '../../support/manual-scheduler.js'
import { Chat, STAFF_ROOM, waitFor } from './world.js'

const DAY = 86_400_000

describe('the Wechaty door in the whole service: a request’s life with reminders in the staff room', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-wechaty-'))
  const clock = new TestClock(new Date('2026-11-29T02:00:00Z'))
  const scheduler = new ManualScheduler(clock)
  const mocker = new mock.Mocker()
  let services: Services

  beforeAll(async () => {
    const config = loadConfig({ WECHAT_TOKEN: 'wechatyLife1', DATA_DIR: dataDir, WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_STAFF_ROOM: STAFF_ROOM })
    services = await buildServices(config, { clock, logger: silentLogger(), scheduler, wechatyPuppet: new PuppetMock({ mocker }) })
    await services.start()
  }, 30_000)
  afterAll(async () => {
    await services?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('answers in Chinese, files a request, lets the staff room verify and reply, and posts the reminder there', async () => {
    const me = mocker.createContact({ name: '即库隐私助手' })
    mocker.login(me)
    const user = mocker.createContact({ name: '用户甲' })
    const staffer = mocker.createContact({ name: '工作人员乙' })
    const room = mocker.createRoom({ topic: STAFF_ROOM, memberIdList: [me.id, staffer.id] })
    const dm = new Chat(me.id, user, me)
    const staffRoom = new Chat(me.id, staffer, room, room)

    expect(await dm.say('你们会出售我的信息吗')).toContain('do not sell or rent')
    await dm.say('请删除我的个人信息')
    await dm.say('张三')
    await dm.say('13812345678')
    await dm.say('跳过')
    const id = /PR-\d{8}-[A-Z0-9]{6}/.exec(await dm.say('确认'))![0]

    expect(await staffRoom.say('/list')).toContain(id)
    const heardBefore = dm.heard.length
    expect(await staffRoom.say(`/verify ${id}`)).toMatch(/Verified; due 2026-12-14/)
    expect(await dm.next(heardBefore)).toMatch(/2026-12-14 前答复您/)
    expect(await staffRoom.say(`/reply ${id} 我们正在处理您的删除请求。`)).toMatch(/Delivered/)
    expect(await dm.next(heardBefore + 1)).toContain('我们正在处理您的删除请求。')

    // Ten days on, the 5-day reminder appears in the staff room; at the due time, the escalation.
    await scheduler.advanceTo(new Date(clock.now().getTime() + 10 * DAY + 60_000))
    await waitFor(() => staffRoom.heard.find((t) => t.includes('提醒') && t.includes(id)), 5_000, 'reminder in the room')
    await scheduler.advanceTo(new Date(clock.now().getTime() + 5 * DAY))
    await waitFor(() => staffRoom.heard.find((t) => t.includes('逾期') && t.includes(id)), 5_000, 'escalation in the room')

    // Closed: nothing more.
    await staffRoom.say(`/close ${id}`)
    const count = staffRoom.heard.length
    await scheduler.advanceTo(new Date(clock.now().getTime() + 3 * DAY))
    expect(staffRoom.heard.slice(count).filter((t) => t.includes(id))).toEqual([])
  }, 30_000)
})
