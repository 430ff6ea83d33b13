import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../src/config.js'
import { startService, type RunningService } from '../support/service-process.js'
import { WechatClient } from '../support/wechat-client.js'

const TOKEN = 'e2eTruthful01'
const STAFF = 'oStaffTruthful'
const ID = /PR-\d{8}-[A-Z0-9]{6}/

const cd = (s: string): string => `<![CDATA[${s}]]>`
const textXml = (from: string, content: string, msgId: string): string =>
  `<xml><ToUserName>${cd('gh_jiku')}</ToUserName><FromUserName>${cd(from)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cd('text')}</MsgType><Content>${cd(content)}</Content><MsgId>${msgId}</MsgId></xml>`

/** A signed URL as WeChat makes one, to be captured and replayed. */
function signedUrl(baseUrl: string, openid: string): string {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = String(Math.floor(Math.random() * 1e9))
  const signature = createHash('sha1').update([TOKEN, timestamp, nonce].sort().join('')).digest('hex')
  return `${baseUrl}/wechat?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&openid=${openid}`
}

describe('what staff and users are told is true (real process, plaintext mode, no WeChat API credentials)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-truth-'))
  let service: RunningService
  let wechat: WechatClient

  beforeAll(async () => {
    service = await startService({ WECHAT_TOKEN: TOKEN, DATA_DIR: dataDir, STAFF_OPENIDS: STAFF })
    wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
  }, 60_000)
  afterAll(async () => {
    await service?.kill()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('warns at start about plaintext staff commands, disabled sending and the unfilled policy e-mail', () => {
    const out = service.output()
    expect(out).toContain('"event":"config.staff_in_plaintext"')
    expect(out).toContain('"event":"outbox.sending_disabled"')
    expect(out).toContain('"event":"config.contact_email_missing"')
  })

  it('a captured signed URL does not carry a staff command, under the staff OpenID or another', async () => {
    const url = signedUrl(service.baseUrl, 'oSomeUser')
    const first = await fetch(url, { method: 'POST', body: textXml('oSomeUser', '你们会出售我的信息吗', '7000000000000000001') })
    expect(first.status).toBe(200)
    // The same URL with the staff OpenID as sender and a staff command: refused, nothing runs.
    const asStaff = await fetch(url, { method: 'POST', body: textXml(STAFF, '/list all', '7000000000000000002') })
    expect(asStaff.status).toBe(401)
    expect(await asStaff.text()).not.toContain('PR-')
    // openid=<someone else> with FromUserName=<staff> under a fresh signature: refused too.
    const mismatched = await fetch(signedUrl(service.baseUrl, 'o_someone_else'), { method: 'POST', body: textXml(STAFF, '/list all', '7000000000000000003') })
    expect(mismatched.status).toBe(401)
    // WeChat's own retry of the first message still gets its answer.
    const retry = await fetch(url, { method: 'POST', body: textXml('oSomeUser', '你们会出售我的信息吗', '7000000000000000001') })
    expect(retry.status).toBe(200)
    expect(await retry.text()).toContain('sell or rent')
  })

  it('tells staff at once of a new request, and the real reason a message was not sent', async () => {
    await wechat.text('oRequester', '请删除我的个人信息')
    await wechat.text('oRequester', '赵六')
    await wechat.text('oRequester', 'zhaoliu@example.org')
    await wechat.text('oRequester', '跳过')
    const id = ID.exec(await wechat.text('oRequester', '确认'))?.[0]
    expect(id).toBeDefined()
    // The new-request notice waits for staff (no credentials to push it) and comes with their next answer, /list included.
    // The notice is filed a moment after the requester's answer, so give it that moment.
    await new Promise((r) => setTimeout(r, 300))
    const list = await wechat.text(STAFF, '/list')
    expect(list).toContain(`New request: ${id}`)
    expect(list).not.toContain('zhaoliu@example.org')
    const verified = await wechat.text(STAFF, `/verify ${id}`)
    expect(verified).toMatch(/credentials are not configured/)
    expect(verified).not.toMatch(/48-hour/)
  })

  it('keeps what the policy could not answer for staff, masked and without who asked, for `npm run unanswered`', async () => {
    expect(await wechat.text('oCurious', '我叫钱七，手机13912345678，你们公司几点下班？')).toMatch(/找不到|could not find/)
    await wechat.text('oCurious2', '我叫孙八，手机13700001111，你们公司几点下班')
    await new Promise((r) => setTimeout(r, 200))
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/unanswered.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
    })
    // Both people asked the same thing once their names and numbers are masked.
    expect(stdout).toMatch(/2\s+\d{4}-\d{2}-\d{2}\s+zh\s+我叫\[name\]，手机\[phone\]，你们公司几点下班/)
    expect(stdout).not.toMatch(/钱七|孙八|13912345678|13700001111|oCurious/)
  })
})
