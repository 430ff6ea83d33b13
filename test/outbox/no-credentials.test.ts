import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { buildServices, type Services } from '../../src/compose.js'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/log.js'
import { idIn } from '../support/harness.js'
import { TestClock } from '../support/test-clock.js'

const STAFF = ['oStaff_openid_0001', 'oStaff_openid_0002'] as const
const REQUESTER = 'oRequester_openid_0001'

/** The service as main.ts builds it, without WECHAT_APPID / WECHAT_APPSECRET. */
describe('without WeChat API credentials', () => {
  let dataDir: string
  let lines: string[]
  let services: Services
  const clock = new TestClock()

  const say = async (userId: string, text: string): Promise<string> =>
    (await services.assistant.handle({ channel: 'wechat-oa', userId, kind: 'text', text, receivedAt: clock.now() }))?.text ?? ''
  const events = (name: string): Record<string, unknown>[] =>
    lines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === name)

  async function fileDeletion(): Promise<string> {
    await say(REQUESTER, 'Delete my data. My name is John Smith, email john@example.org')
    await say(REQUESTER, 'skip')
    const id = idIn(await say(REQUESTER, 'yes'))
    // The staff notice is sent after the answer; wait until it has been handed to the outbox.
    await vi.waitFor(() => expect(events('staff.new_request_notice')).toHaveLength(1), { timeout: 3000, interval: 10 })
    return id
  }

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-no-credentials-'))
    lines = []
    const logger = createLogger({ destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) })
    services = await buildServices(loadConfig({ DATA_DIR: dataDir, STAFF_OPENIDS: STAFF.join(',') }), { clock, logger, interactiveOnly: true })
  })
  afterEach(async () => {
    await services.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('warns once at start that outgoing WeChat messages are disabled', () => {
    const warnings = events('outbox.sending_disabled')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ level: 40, channel: 'wechat-oa', reason: 'credentials-not-configured' })
    expect(String(warnings[0]!.msg)).toMatch(/WECHAT_APPID/)
  })

  it('tells staff the message was not sent because the credentials are missing, and the requester still gets it', async () => {
    const id = await fileDeletion()
    const answer = await say(STAFF[0], `/verify ${id}`)
    expect(answer).toContain('Verified; due')
    expect(answer).toMatch(/未配置微信接口凭据/)
    expect(answer).toMatch(/Not sent: WeChat API credentials are not configured/)
    expect(answer).not.toMatch(/48/)
    expect(events('outbox.held').at(-1)).toMatchObject({ reason: 'credentials-not-configured' })
    // Kept as a held notice: it comes with the requester's next message.
    expect(await say(REQUESTER, 'help')).toContain(`Your identity for request ${id} has been verified`)
    for (const cmd of [`/reply ${id} Done.`, `/close ${id}`]) expect(await say(STAFF[0], cmd)).toMatch(/Not sent: WeChat API credentials are not configured/)
  })

  it("each staff member finds the new-request notice with their next /list, without the requester's details", async () => {
    const id = await fileDeletion()
    for (const staffId of STAFF) {
      const answer = await say(staffId, '/list')
      expect(answer).toContain(`New request: ${id}`)
      expect(answer).toContain('Requests (open): 1')
      expect(answer.match(/New request:/g)).toHaveLength(1)
      for (const secret of ['John', 'john@example.org']) expect(answer).not.toContain(secret)
    }
  })
})
