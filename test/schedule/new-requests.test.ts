import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { buildServices } from '../../src/compose.js'
import { loadConfig } from '../../src/config.js'
import { createLogger, silentLogger } from '../../src/log.js'
import { MemoryRequestRepository } from '../../src/requests/memory-repository.js'
import type { StaffChannel } from '../../src/schedule/deadlines.js'
import { announceNewRequests } from '../../src/schedule/new-requests.js'
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeWechatApi } from '../support/fake-wechat-api.js'
import { idIn } from '../support/harness.js'
import { TestClock } from '../support/test-clock.js'
import { staffNotices } from '../../src/assistant/staff/texts.js'

const PERSONAL = { name: 'John Smith', email: 'john@example.org', phone: '13812345678', details: { message: '请问可以开发票吗' } }
const SECRETS = ['John', 'john@example.org', '13812345678', '开发票']

function setup(staff?: StaffChannel) {
  const clock = new TestClock()
  const inner = new MemoryRequestRepository({ clock })
  const told: string[] = []
  const lines: string[] = []
  const logger = createLogger({ destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) })
  const requests = announceNewRequests(inner, { staff: staff ?? { toStaff: async (text) => void told.push(text) }, logger, texts: staffNotices })
  return { inner, requests, told, log: () => lines.join('') }
}

describe('staff notice of a new request', () => {
  it('tells staff the id, kind and state of a new rights request, and nothing personal', async () => {
    const s = setup()
    const r = await s.requests.create({ kind: 'rights', type: 'delete', channel: 'wechat-oa', userId: 'u1', personal: PERSONAL })
    await vi.waitFor(() => expect(s.told).toHaveLength(1))
    expect(s.told[0]).toContain(`New request: ${r.id}`)
    expect(s.told[0]).toMatch(/awaiting identity verification/)
    expect(s.told[0]).toMatch(/新申请.*待核验身份/)
    expect(s.told[0]).toContain(`/show ${r.id}`)
    for (const secret of [...SECRETS, 'u1']) expect(s.told[0]).not.toContain(secret)
    expect(await s.requests.get(r.id)).toEqual(r)
  })

  it('tells staff about a new inquiry without its message', async () => {
    const s = setup()
    const r = await s.requests.create({ kind: 'inquiry', channel: 'wechat-oa', userId: 'u1', personal: { details: { message: PERSONAL.details.message } } })
    await vi.waitFor(() => expect(s.told).toHaveLength(1))
    expect(s.told[0]).toMatch(new RegExp(`新留言：${r.id}[\\s\\S]*New message to staff: ${r.id}`))
    for (const secret of SECRETS) expect(s.told[0]).not.toContain(secret)
  })

  it('says nothing about a marketing opt-out, which is closed as it is filed', async () => {
    const s = setup()
    await s.requests.create({ kind: 'rights', type: 'marketing-opt-out', channel: 'wechat-oa', userId: 'u1', personal: null, state: 'closed' })
    await s.requests.create({ kind: 'rights', type: 'access', channel: 'wechat-oa', userId: 'u1', personal: null })
    await vi.waitFor(() => expect(s.told).toHaveLength(1))
    expect(s.told[0]).toMatch(/New request: .*\(/)
    expect(s.told.join('')).not.toMatch(/marketing/)
  })

  it('files the request without waiting for the notice, and logs a notice that failed', async () => {
    const hanging = setup({ toStaff: () => new Promise<void>(() => undefined) })
    await expect(hanging.requests.create({ kind: 'inquiry', channel: 'wechat-oa', userId: 'u1', personal: null })).resolves.toMatchObject({ state: 'submitted' })

    const failing = setup({ toStaff: () => Promise.reject(new Error('outbox closed')) })
    const r = await failing.requests.create({ kind: 'inquiry', channel: 'wechat-oa', userId: 'u1', personal: null })
    expect(await failing.inner.get(r.id)).toEqual(r)
    await vi.waitFor(() => expect(failing.log()).toContain('staff.new_request_notice_failed'))
    expect(failing.log()).toContain(r.id)
  })

  it('sends nothing when filing fails', async () => {
    const s = setup()
    vi.spyOn(s.inner, 'create').mockRejectedValueOnce(new Error('disk full'))
    await expect(s.requests.create({ kind: 'rights', type: 'delete', channel: 'wechat-oa', userId: 'u1', personal: null })).rejects.toThrow('disk full')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(s.told).toEqual([])
  })
})

describe('staff notice through the service', () => {
  it('a request filed in conversation reaches every staff OpenID once, at once', async () => {
    const api = await startFakeWechatApi()
    const dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-new-request-'))
    const clock = new TestClock()
    const staffIds = ['oStaff_openid_0001', 'oStaff_openid_0002']
    const config = loadConfig({ DATA_DIR: dataDir, STAFF_OPENIDS: staffIds.join(','), WECHAT_APPID: FAKE_APP_ID, WECHAT_APPSECRET: FAKE_APP_SECRET, WECHAT_API_BASE: api.baseUrl })
    const services = await buildServices(config, { clock, logger: silentLogger(), interactiveOnly: true })
    const say = async (text: string): Promise<string> =>
      (await services.assistant.handle({ channel: 'wechat-oa', userId: 'oRequester', kind: 'text', text, receivedAt: clock.now() }))?.text ?? ''
    try {
      await say('Delete my data. My name is John Smith, email john@example.org')
      await say('skip')
      const id = idIn(await say('yes'))
      await say('人工')
      const inquiry = idIn(await say('请问可以开发票吗'))
      await vi.waitFor(() => expect(api.messages).toHaveLength(4), { timeout: 3000, interval: 10 })
      for (const staffId of staffIds) {
        const got = api.messages.filter((m) => m.touser === staffId).map((m) => m.content)
        expect(got).toEqual([expect.stringContaining(`New request: ${id}`), expect.stringContaining(`New message to staff: ${inquiry}`)])
        for (const secret of SECRETS) expect(got.join('\n')).not.toContain(secret)
      }
    } finally {
      await services.close()
      await api.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
