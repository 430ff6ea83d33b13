import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeWechatApi, type FakeWechatApi } from '../support/fake-wechat-api.js'
import { startService, type RunningService } from '../support/service-process.js'
import { WechatClient } from '../support/wechat-client.js'

const TOKEN = 'e2eDeadlines01'
const STAFF = 'oStaffDeadline'
const ID = /PR-\d{8}-[A-Z0-9]{6}/

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = probe()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error('timed out waiting')
    await sleep(50)
  }
}

describe('the 15-day promise, end to end, with a stand-in for WeChat’s API', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-e2e-deadlines-'))
  let api: FakeWechatApi
  let service: RunningService
  let wechat: WechatClient
  let env: Record<string, string>
  /** When each customer-service message arrived. */
  const arrivals: Array<{ at: number; touser: string; content: string }> = []

  const file = async (user: string): Promise<string> => {
    await wechat.text(user, 'Delete my data. My name is Test User, email test@example.org')
    await wechat.text(user, 'skip')
    return ID.exec(await wechat.text(user, 'yes'))![0]
  }
  const toStaffAbout = (id: string, pattern: RegExp) => arrivals.filter((m) => m.touser === STAFF && m.content.includes(id) && pattern.test(m.content))

  beforeAll(async () => {
    api = await startFakeWechatApi({ onMessage: (m) => arrivals.push({ at: Date.now(), ...m }) })
    env = {
      WECHAT_TOKEN: TOKEN,
      WECHAT_APPID: FAKE_APP_ID,
      WECHAT_APPSECRET: FAKE_APP_SECRET,
      WECHAT_API_BASE: api.baseUrl,
      STAFF_OPENIDS: STAFF,
      RESPONSE_WINDOW: 'PT10S',
      REMINDERS: 'PT6S',
      DATA_DIR: dataDir,
    }
    service = await startService(env)
    wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
  }, 60_000)
  afterAll(async () => {
    await service?.kill()
    await api?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('reminds staff ~4 s after /verify, escalates as overdue at 10 s, sends nothing for a closed request, and delivers replies', async () => {
    const [a, b, c] = await Promise.all([file('oUserA'), file('oUserB'), file('oUserC')])
    api.setWindowClosed('oUserC', true)

    const verifiedAt = Date.now()
    expect(await wechat.text(STAFF, `/verify ${a}`)).toMatch(/Verified/)
    await wechat.text(STAFF, `/verify ${b}`)
    expect(await wechat.text(STAFF, `/close ${b}`)).toMatch(/Closed/)

    // The requester is told the due date by customer-service message.
    await waitFor(() => arrivals.find((m) => m.touser === 'oUserA' && /前答复您/.test(m.content)), 5_000)

    // A staff reply reaches the requester through WeChat's API.
    expect(await wechat.text(STAFF, `/reply ${a} Your data has been deleted.`)).toMatch(/Delivered to the requester/)
    await waitFor(() => arrivals.find((m) => m.touser === 'oUserA' && m.content.includes('Your data has been deleted.') && m.content.includes(a)), 5_000)

    // Outside the 48-hour window (45015): held, staff are told, and it arrives with the next message.
    const held = await wechat.text(STAFF, `/reply ${c} We need to verify your identity first.`)
    expect(held).toMatch(/48 小时|48-hour window/)
    expect(arrivals.some((m) => m.touser === 'oUserC' && m.content.includes('verify your identity first'))).toBe(false)
    expect(await wechat.text('oUserC', 'hello')).toContain('We need to verify your identity first.')

    const reminder = await waitFor(() => toStaffAbout(a, /提醒/)[0], 10_000)
    expect((reminder.at - verifiedAt) / 1000).toBeGreaterThan(2.5)
    expect((reminder.at - verifiedAt) / 1000).toBeLessThan(7.5)
    const overdue = await waitFor(() => toStaffAbout(a, /逾期/)[0], 12_000)
    expect((overdue.at - verifiedAt) / 1000).toBeGreaterThan(8.5)
    expect((overdue.at - verifiedAt) / 1000).toBeLessThan(14)

    await sleep(1_000)
    // Staff heard of b when it was filed, and nothing after it was closed.
    expect(arrivals.filter((m) => m.touser === STAFF && m.content.includes(b)).map((m) => m.content)).toEqual([expect.stringContaining(`New request: ${b}`)])
    expect(toStaffAbout(a, /提醒/)).toHaveLength(1)
    expect(toStaffAbout(a, /逾期/)).toHaveLength(1)
    expect(api.tokenFetches).toBe(1)
  }, 60_000)

  it('an escalation missed while the process was stopped arrives after npm start, once; the reminder it passed is not sent late', async () => {
    const d = await file('oUserD')
    await wechat.text(STAFF, `/verify ${d}`)
    const verifiedAt = Date.now()
    await service.stop()
    // Stopped past both the reminder (4 s) and the due time (10 s), however long stopping took.
    await sleep(Math.max(0, verifiedAt + 10_500 - Date.now()))
    const fetchesBefore = api.tokenFetches
    service = await startService(env)
    wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
    await waitFor(() => toStaffAbout(d, /逾期/)[0], 10_000)
    await sleep(1_500)
    expect(toStaffAbout(d, /逾期/)).toHaveLength(1)
    // After long downtime only the latest follow-up goes out: the reminder is out of date.
    expect(toStaffAbout(d, /提醒/)).toHaveLength(0)
    expect(api.tokenFetches - fetchesBefore).toBeLessThanOrEqual(1)

    // Another restart sends nothing again.
    const count = arrivals.filter((m) => m.content.includes(d)).length
    await service.stop()
    service = await startService(env)
    await sleep(2_000)
    expect(arrivals.filter((m) => m.content.includes(d)).length).toBe(count)
  }, 60_000)
})
