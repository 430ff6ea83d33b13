import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../src/config.js'
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeWechatApi } from '../support/fake-wechat-api.js'
import { startService, type RunningService } from '../support/service-process.js'
import { requestsOnDisk } from '../support/requests-on-disk.js'
import { WechatClient } from '../support/wechat-client.js'

const TOKEN = 'e2eReliable01'
const STAFF = 'oStaffReliable'
const ID = /PR-\d{8}-[A-Z0-9]{6}/

/** One person's whole conversation; resolves with the id they were told, or undefined if cut off. */
async function fileRequest(wechat: WechatClient, i: number): Promise<string | undefined> {
  const user = `oLoad${i}`
  await wechat.text(user, '请删除我的个人信息')
  await wechat.text(user, `用户${i}号`.replace(/\d/g, (d) => '零一二三四五六七八九'[Number(d)]!))
  await wechat.text(user, `load${i}@example.org`)
  const summary = await wechat.text(user, '跳过')
  // No crossed answers: the summary shows this person's own e-mail.
  if (!summary.includes(`load${i}@example.org`)) throw new Error(`user ${i} saw someone else's summary`)
  const done = await wechat.text(user, '确认')
  return ID.exec(done)?.[0]
}

describe('under load, faults and hostile users (real process)', () => {
  const dirs: string[] = []
  let service: RunningService | undefined
  const tempDir = (): string => {
    const d = mkdtempSync(path.join(tmpdir(), 'jiku-rel-'))
    dirs.push(d)
    return d
  }
  afterEach(async () => {
    await service?.kill()
    service = undefined
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('200 people filing at once each end with exactly one request of their own', async () => {
    const dataDir = tempDir()
    service = await startService({ WECHAT_TOKEN: TOKEN, DATA_DIR: dataDir })
    const wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => fileRequest(wechat, i)))
    expect(ids.every(Boolean)).toBe(true)
    expect(new Set(ids).size).toBe(200)
    const stored = requestsOnDisk(dataDir)
    expect(stored).toHaveLength(200)
    for (let i = 0; i < 200; i++) {
      const mine = stored.filter((r) => r.userId === `oLoad${i}`)
      expect(mine).toHaveLength(1)
      expect(mine[0]!.id).toBe(ids[i])
      expect(mine[0]!.personal?.email).toBe(`load${i}@example.org`)
    }
  }, 120_000)

  it('SIGKILL in the middle of that load loses no confirmed request, and the files parse', async () => {
    const dataDir = tempDir()
    service = await startService({ WECHAT_TOKEN: TOKEN, DATA_DIR: dataDir })
    const wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
    const confirmed: string[] = []
    const running = Array.from({ length: 200 }, (_, i) =>
      fileRequest(wechat, i)
        .then((id) => void (id && confirmed.push(id)))
        .catch(() => undefined),
    )
    while (confirmed.length < 20) await new Promise((r) => setTimeout(r, 5))
    await service.kill()
    await Promise.all(running)
    const stored = new Set(requestsOnDisk(dataDir).map((r) => r.id))
    for (const id of confirmed) expect(stored.has(id), id).toBe(true)
    service = await startService({ WECHAT_TOKEN: TOKEN, DATA_DIR: dataDir, STAFF_OPENIDS: STAFF })
    const again = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
    expect(await again.text(STAFF, `/show ${confirmed[0]}`)).toContain(confirmed[0]!)
  }, 120_000)

  it('SIGTERM: in-flight replies finish, then the process exits 0 within a few seconds', async () => {
    const dataDir = tempDir()
    service = await startService({ WECHAT_TOKEN: TOKEN, DATA_DIR: dataDir }, 30_000, { direct: true })
    const wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
    const inFlight = Array.from({ length: 30 }, (_, i) => wechat.text(`oTerm${i}`, 'Delete my data').then(
      (r) => r,
      () => 'refused',
    ))
    await new Promise((r) => setTimeout(r, 20))
    const started = Date.now()
    const exit = await service.stop()
    service = undefined
    expect(exit).toBe(0)
    expect(Date.now() - started).toBeLessThan(5_000)
    const replies = await Promise.all(inFlight)
    // Each message either got its full answer or was refused before it was taken: never half-handled.
    for (const r of replies) expect(r === 'refused' || /full name/.test(r)).toBe(true)
    expect(replies.filter((r) => r !== 'refused').length).toBeGreaterThan(0)
  }, 60_000)

  it('a slow or failing WeChat API never blocks a passive reply and never loses the message', async () => {
    const dataDir = tempDir()
    const api = await startFakeWechatApi()
    try {
      service = await startService({
        WECHAT_TOKEN: TOKEN,
        DATA_DIR: dataDir,
        STAFF_OPENIDS: STAFF,
        WECHAT_APPID: FAKE_APP_ID,
        WECHAT_APPSECRET: FAKE_APP_SECRET,
        WECHAT_API_BASE: api.baseUrl,
      })
      const wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
      const id = ID.exec(
        await (async () => {
          await wechat.text('oSlowUser01', 'Delete my data. My name is Slow Person, email slow@example.org')
          await wechat.text('oSlowUser01', 'skip')
          return wechat.text('oSlowUser01', 'yes')
        })(),
      )![0]
      api.failNext({ delayMs: 20_000 }, 1)
      api.failNext({ status: 502 }, 2)
      api.failNext({ garbage: true }, 2)
      const t = Date.now()
      const staffView = await wechat.text(STAFF, `/reply ${id} Thanks for waiting.`)
      expect(Date.now() - t).toBeLessThan(4_500)
      expect(staffView).toMatch(/recorded/)
      // A policy question meanwhile is answered at once.
      const t2 = Date.now()
      expect(await wechat.text('oOtherUser01', 'Do you sell my data?')).toContain('do not sell or rent')
      expect(Date.now() - t2).toBeLessThan(1_000)
      await expect
        .poll(() => api.messages.some((m) => m.touser === 'oSlowUser01' && m.content.includes('Thanks for waiting.')), { timeout: 40_000, interval: 200 })
        .toBe(true)
    } finally {
      await api.close()
    }
  }, 90_000)

  it('refuses to start on a corrupt data file, names it, and keeps the original bytes', async () => {
    const dataDir = tempDir()
    mkdirSync(path.join(dataDir, 'requests'), { recursive: true })
    const file = path.join(dataDir, 'requests', '2026-11.json')
    writeFileSync(file, '{"version":1,"requests":{"PR-2026')
    const child = spawn('npm', ['start', '--silent'], { cwd: PROJECT_ROOT, env: { ...process.env, WECHAT_TOKEN: TOKEN, DATA_DIR: dataDir, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const code = await new Promise<number | null>((r) => child.once('exit', r))
    expect(code).not.toBe(0)
    expect(out).toContain(file)
    expect(readFileSync(file, 'utf8')).toBe('{"version":1,"requests":{"PR-2026')
  }, 30_000)

  it('/metrics needs the token and reports messages, answers, requests and the outbox', async () => {
    const dataDir = tempDir()
    service = await startService({ WECHAT_TOKEN: TOKEN, DATA_DIR: dataDir, METRICS_TOKEN: 'metrics-secret' })
    const wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
    await wechat.text('oM', 'Do you sell my data?')
    await wechat.text('oM', 'What time is it in Beijing?')
    expect((await fetch(`${service.baseUrl}/metrics`)).status).toBe(401)
    expect((await fetch(`${service.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    const res = await fetch(`${service.baseUrl}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toMatch(/privacy_bot_messages_total\{channel="wechat-oa",kind="text"\} 2/)
    expect(text).toMatch(/privacy_bot_policy_answers_total\{outcome="answer"\} 1/)
    expect(text).toMatch(/privacy_bot_policy_answers_total\{outcome="fallback"\} 1/)
    expect(text).toContain('privacy_bot_requests_overdue 0')
    expect(text).toContain('privacy_bot_outbox_depth 0')
    expect(text).toMatch(/privacy_bot_process_resident_memory_bytes \d+/)
  }, 30_000)
})
