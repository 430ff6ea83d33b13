import { describe, expect, it } from 'vitest'
import { harness, idIn, STAFF_ID } from '../support/harness.js'

async function fileDeletion(h: ReturnType<typeof harness>, userId = 'user-1'): Promise<string> {
  await h.sendAs(userId, 'Delete my data. My name is John Smith, email john@example.org')
  await h.sendAs(userId, 'skip')
  return idIn(await h.sendAs(userId, 'yes'))
}

describe('staff commands', () => {
  it('/console and 控制台 give staff a one-time console link; anyone else learns nothing', async () => {
    const asked: string[] = []
    const h = harness({
      consoleLinks: {
        async issue(actor, now) {
          asked.push(actor)
          if (asked.length > 2) return { refused: 'too-many' }
          return { url: 'https://console.jiku.example/console/login?token=abc', expiresAt: new Date(now.getTime() + 10 * 60_000) }
        },
      },
    })
    const link = await h.staff('/console')
    expect(link).toContain('https://console.jiku.example/console/login?token=abc')
    expect(link).toMatch(/10 分钟内有效/)
    expect(link).toMatch(/valid for 10 min/)
    expect(link).toMatch(/works once/)
    expect(await h.staff('控制台')).toContain('/console/login?token=abc')
    expect(await h.staff('/console')).toMatch(/Too many sign-in links/)
    expect(asked).toEqual(['staff:staff-openid', 'staff:staff-openid', 'staff:staff-openid'])
    const stranger = await h.sendAs('someone', '/console')
    expect(stranger).toBe(await h.sendAs('someone', '/nonsense'))
    expect(await h.sendAs('someone', '控制台')).not.toMatch(/console|token|控制台登录/i)
    expect(asked).toHaveLength(3)
    expect(await h.staff('/help')).toContain('/console')
  })

  it('/console says the console is off when the service has none', async () => {
    expect(await harness().staff('/console')).toMatch(/not enabled/)
  })

  it('/help lists the commands in both languages', async () => {
    const h = harness()
    const help = await h.staff('/help')
    for (const c of ['/list', '/show', '/verify', '/reply', '/close', '/reject']) expect(help).toContain(c)
    expect(help).toMatch(/工作人员命令 Staff commands/)
  })

  it('/list shows open requests soonest due first, and filters by state', async () => {
    const h = harness()
    const a = await fileDeletion(h, 'u-a')
    h.clock.advance(3_600_000)
    const b = await fileDeletion(h, 'u-b')
    const c = await fileDeletion(h, 'u-c')
    await h.staff(`/verify ${c}`)
    h.clock.advance(3_600_000)
    await h.staff(`/verify ${b}`)
    const list = await h.staff('/list')
    expect(list).toMatch(/Requests \(open\): 3/)
    expect(list.indexOf(c)).toBeLessThan(list.indexOf(b))
    expect(list.indexOf(b)).toBeLessThan(list.indexOf(a))
    await h.staff(`/close ${a}`)
    expect(await h.staff('/list')).not.toContain(a)
    expect(await h.staff('/list closed')).toContain(a)
    expect(await h.staff('/list bogus')).toMatch(/Unknown state/)
  })

  it('/show gives the whole request to staff', async () => {
    const h = harness()
    const id = await fileDeletion(h)
    const shown = await h.staff(`/show ${id.toLowerCase()}`)
    expect(shown).toContain(id)
    expect(shown).toContain('John Smith')
    expect(shown).toContain('john@example.org')
    expect(shown).toMatch(/user created/)
  })

  it('/verify starts the window and tells the requester the due date with their next message', async () => {
    const h = harness()
    const id = await fileDeletion(h)
    const staffView = await h.staff(`/verify ${id}`)
    expect(staffView).toMatch(/Verified; due 2026-12-14/)
    expect(staffView).toMatch(/next message/)
    const r = await h.storage.requests.get(id)
    expect(r).toMatchObject({ state: 'verified', verifiedAt: '2026-11-29T02:00:00.000Z', dueAt: '2026-12-14T02:00:00.000Z' })
    const next = await h.send('help')
    expect(next).toMatch(/我们将在 2026-12-14 前答复您/)
    expect(next).toContain('隐私助手')
    expect(await h.staff(`/verify ${id}`)).toMatch(/cannot verify again/)
  })

  it('/reply records the reply and it reaches the requester; /close ends it', async () => {
    const h = harness()
    const id = await fileDeletion(h)
    await h.staff(`/verify ${id}`)
    expect(await h.staff(`/reply ${id} We have deleted your data.`)).toMatch(/recorded/)
    const r = await h.storage.requests.get(id)
    expect(r?.state).toBe('replied')
    expect(r?.replies.at(-1)).toMatchObject({ by: 'staff:staff-openid', text: 'We have deleted your data.' })
    // Both waiting messages (due date, then the reply) come with the requester's next message.
    const got = await h.send('status')
    expect(got).toMatch(/2026-12-14[\s\S]*We have deleted your data\./)
    expect(got).toContain(id)
    await h.staff(`/close ${id} done`)
    expect((await h.storage.requests.get(id))?.state).toBe('closed')
    expect(await h.staff(`/reply ${id} more`)).toMatch(/cannot reply/)
  })

  it('/reject requires a reason and tells the requester the reason and how to complain', async () => {
    const h = harness()
    const id = await fileDeletion(h)
    expect(await h.staff(`/reject ${id}`)).toMatch(/reason/)
    expect((await h.storage.requests.get(id))?.state).toBe('submitted')
    await h.staff(`/reject ${id} Identity could not be verified`)
    const r = await h.storage.requests.get(id)
    expect(r?.state).toBe('rejected')
    expect(r?.audit.at(-1)).toMatchObject({ action: 'rejected', note: 'Identity could not be verified' })
    const told = await h.send('help')
    expect(told).toContain('Identity could not be verified')
    expect(told).toMatch(/complain/)
  })

  it('a wrong or malformed id and an unknown command get clear errors', async () => {
    const h = harness()
    expect(await h.staff('/show PR-20261129-ZZZZZZ')).toMatch(/No request PR-20261129-ZZZZZZ/)
    expect(await h.staff('/show 12345')).toMatch(/Malformed id/)
    expect(await h.staff('/verify')).toMatch(/Missing request id/)
    expect(await h.staff('/frobnicate')).toMatch(/Unknown command/)
    expect(await h.staff(`/reply PR-20261129-ABCDEF ${'x'.repeat(2000)}`)).toMatch(/too long/)
  })

  it('someone not on the staff list learns nothing about any request', async () => {
    const h = harness()
    const id = await fileDeletion(h)
    for (const cmd of ['/list', `/show ${id}`, `/verify ${id}`, `/close ${id}`, '/help']) {
      const reply = await h.sendAs('intruder', cmd)
      expect(reply).not.toContain(id)
      expect(reply).not.toContain('John')
      expect(reply).toMatch(/don’t know that command/)
    }
    expect((await h.storage.requests.get(id))?.state).toBe('submitted')
  })

  it('inquiries are listed for staff and answered with /reply, with no verification', async () => {
    const h = harness()
    await h.send('人工')
    const id = idIn(await h.send('请问可以开发票吗'))
    expect(await h.staff('/list')).toContain(id)
    expect(await h.staff(`/verify ${id}`)).toMatch(/no verification/)
    await h.staff(`/reply ${id} 可以，请发邮件给我们。`)
    expect((await h.storage.requests.get(id))?.state).toBe('replied')
    expect(await h.send('你好')).toContain('可以，请发邮件给我们。')
  })

  it('a staff member writing to the Official Account gets their held notices with the /list answer', async () => {
    const h = harness()
    const id = await fileDeletion(h)
    await h.held.hold({ channel: 'wechat-oa', userId: STAFF_ID }, `New request: ${id}`)
    const answer = await h.staff('/list')
    expect(answer).toMatch(new RegExp(`^New request: ${id}[\\s\\S]*Requests \\(open\\): 1`))
    expect(await h.held.take({ channel: 'wechat-oa', userId: STAFF_ID })).toEqual([])
  })

  it('a backlog of held notices never pushes a command answer behind "more"', async () => {
    const h = harness()
    const id = await fileDeletion(h)
    const me = { channel: 'wechat-oa', userId: STAFF_ID } as const
    const notices = Array.from({ length: 30 }, (_, i) => `提醒 Reminder ${i}: ${'x'.repeat(100)}`)
    for (const text of notices) await h.held.hold(me, text)
    const answer = await h.staff('/list')
    expect(answer).toMatch(new RegExp(`^提醒 Reminder 0:[\\s\\S]*Requests \\(open\\): 1\\n${id}`))
    const shown = notices.filter((n) => answer.includes(n)).length
    expect(shown).toBeGreaterThan(0)
    // The rest wait, in order, for the next messages.
    expect(await h.held.take(me)).toEqual(notices.slice(shown))
  })

  it('a slash command on Wechaty (maybe in the shared staff room) never carries held notices', async () => {
    const h = harness()
    const staff = { channel: 'wechaty', userId: STAFF_ID } as const
    await h.held.hold(staff, 'for this staff member only')
    const ask = async (text: string) => (await h.assistant.handle({ ...staff, kind: 'text', text, receivedAt: h.clock.now() }))?.text ?? ''
    expect(await ask('/list')).not.toContain('for this staff member only')
    expect(await ask('／list')).not.toContain('for this staff member only')
    expect(await ask('hello')).toContain('for this staff member only')
  })
})
