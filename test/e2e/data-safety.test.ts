import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import http from 'node:http'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../src/config.js'
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeWechatApi } from '../support/fake-wechat-api.js'
import { requestsOnDisk } from '../support/requests-on-disk.js'
import { healthOf as health, startService, type RunningService } from '../support/service-process.js'
import { until } from '../support/until.js'
import { WechatClient } from '../support/wechat-client.js'

const TOKEN = 'e2eDataSafety1'
const ID = /PR-\d{8}-[A-Z0-9]{6}/

/** One person's request from start to "已提交"; the id they were told, or undefined with what they were told instead. */
async function fileRequest(wechat: WechatClient, user: string): Promise<{ id?: string; last: string }> {
  await wechat.text(user, '请删除我的个人信息')
  await wechat.text(user, '张三')
  await wechat.text(user, `${user.toLowerCase()}@example.org`)
  await wechat.text(user, '跳过')
  const last = await wechat.text(user, '确认')
  return { id: ID.exec(last)?.[0], last }
}

/** Runs an npm script to completion; stdout, stderr and the exit code. */
function runScript(args: string[], env: Record<string, string>, input?: string): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ out, err, code }))
    child.stdin.end(input ?? '')
  })
}

/** A tiny tmpfs to fill, where the machine allows mounting one (as root, as CI runs). */
function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('nothing confirmed is ever lost (real process)', () => {
  const dirs: string[] = []
  const mounts: string[] = []
  const services: RunningService[] = []
  const tempDir = (): string => {
    const d = mkdtempSync(path.join(tmpdir(), 'jiku-safety-'))
    dirs.push(d)
    return d
  }
  const start = async (env: Record<string, string>): Promise<RunningService> => {
    const s = await startService({ WECHAT_TOKEN: TOKEN, ...env }, 30_000, { direct: true })
    services.push(s)
    return s
  }
  afterEach(async () => {
    for (const s of services.splice(0)) await s.kill()
    for (const m of mounts.splice(0)) {
      try {
        execFileSync('umount', [m], { stdio: 'ignore' })
      } catch {
        /* already gone */
      }
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('a second process on one DATA_DIR is refused, naming the directory and the holder, while the first keeps serving', async () => {
    const dataDir = tempDir()
    const first = await start({ DATA_DIR: dataDir })
    const wechat = new WechatClient({ baseUrl: first.baseUrl, token: TOKEN })
    const before = await fileRequest(wechat, 'oFirst1')
    expect(before.id).toBeDefined()

    const second = await runScript(['src/main.ts'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', WECHAT_TOKEN: TOKEN })
    expect(second.code).not.toBe(0)
    expect(second.err).toContain(dataDir)
    expect(second.err).toContain(`process ${first.child.pid}`)
    expect(second.err).not.toMatch(/\n\s+at /)

    const after = await fileRequest(wechat, 'oFirst2')
    expect(after.id).toBeDefined()
    expect((await health(first)).status).toBe(200)

    // A crash leaves the lock behind: the next start recognises it as stale at once.
    await first.kill()
    const startedAt = Date.now()
    const restarted = await start({ DATA_DIR: dataDir })
    expect(Date.now() - startedAt).toBeLessThan(10_000)
    const ids = requestsOnDisk(dataDir).map((r) => r.id)
    console.log(`two processes on one DATA_DIR: the second refused; 2 confirmed by the first, ${[before.id, after.id].filter((id) => ids.includes(id!)).length} found after SIGKILL and restart`)
    expect(ids).toEqual(expect.arrayContaining([before.id, after.id]))
    expect((await health(restarted)).status).toBe(200)
  }, 90_000)

  it('ask and chat beside a running service under load never touch its state', async () => {
    const dataDir = tempDir()
    const service = await start({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '1000' })
    const wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
    // Sixty people file while the terminal doors run beside the service, as an operator would.
    const confirmed: string[] = []
    const load = Array.from({ length: 60 }, (_, i) => fileRequest(wechat, `oBeside${i}`).then((r) => void (r.id && confirmed.push(r.id))))
    const [ask, chat] = await Promise.all([
      runScript(['src/cli/ask.ts', '你们会出售我的个人信息吗'], { DATA_DIR: dataDir }),
      runScript(['src/cli/chat.ts'], { DATA_DIR: dataDir }, '请删除我的个人信息\n李四\nlisi@example.org\n跳过\n确认\n'),
    ])
    await Promise.all(load)
    expect(ask.code).toBe(0)
    expect(ask.out).toContain('sell or rent')
    expect(chat.code).toBe(0)
    expect(chat.err).toMatch(/练习模式|Practice mode/)
    const practiceId = ID.exec(chat.out)?.[0]
    expect(practiceId).toBeDefined()

    await service.kill()
    const restarted = await start({ DATA_DIR: dataDir })
    const stored = requestsOnDisk(dataDir).map((r) => r.id)
    console.log(`ask and chat beside the service: ${confirmed.length} confirmed over the webhook, ${confirmed.filter((id) => stored.includes(id)).length} found after SIGKILL and restart; the practice request in chat is not in DATA_DIR`)
    expect(confirmed).toHaveLength(60)
    expect(stored).toEqual(expect.arrayContaining(confirmed))
    expect(stored).not.toContain(practiceId)
    expect((await health(restarted)).status).toBe(200)
  }, 90_000)

  it.skipIf(process.platform !== 'linux')(
    'a full disk: no false confirmation, /healthz says so, recovery without a restart, and every confirmed request survives SIGKILL',
    async (ctx) => {
      const mountPoint = tempDir()
      if (!mountTmpfs(mountPoint, '1m')) return ctx.skip()
      mounts.push(mountPoint)
      const dataDir = path.join(mountPoint, 'state')
      mkdirSync(dataDir, { mode: 0o700 })
      const filler = path.join(mountPoint, 'filler')
      const service = await start({ DATA_DIR: dataDir })
      const wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })

      // Leave about 24 KiB: room for a few requests, then the disk is full.
      const fill = (free: number): void => {
        rmSync(filler, { force: true })
        try {
          writeFileSync(filler, Buffer.alloc(1024 * 1024))
        } catch {
          /* filled to the brim */
        }
        rmSync(filler, { force: true })
        const used = Number(execFileSync('df', ['-B1', '--output=used', mountPoint]).toString().split('\n')[1])
        writeFileSync(filler, Buffer.alloc(Math.max(0, 1024 * 1024 - used - free)))
      }
      fill(24 * 1024)

      const confirmed: string[] = []
      let refusal: string | undefined
      for (let i = 0; i < 60 && !refusal; i++) {
        const r = await fileRequest(wechat, `oFull${i}`).catch((e: unknown) => ({ id: undefined, last: String(e) }))
        if (r.id) confirmed.push(r.id)
        else refusal = r.last
      }
      expect(confirmed.length).toBeGreaterThan(0)
      expect(refusal).toBeDefined()
      expect(refusal).not.toMatch(/已提交|Submitted/)
      expect(refusal).toMatch(/稍后|again/)

      const degraded = await health(service)
      expect(degraded.status).toBe(503)
      expect(degraded.body).toMatchObject({ status: 'degraded', storage: 'ENOSPC' })
      expect(service.output()).toMatch(/"code":"ENOSPC","file":"[^"]*state/)

      // Space comes back: the service notices by itself, with no message sent.
      rmSync(filler, { force: true })
      expect(await until(async () => (await health(service)).status === 200, 10_000)).toBe(true)

      for (let i = 0; i < 3; i++) {
        const r = await fileRequest(wechat, `oBack${i}`)
        expect(r.id, r.last).toBeDefined()
        confirmed.push(r.id!)
      }
      await service.kill()

      const restarted = await start({ DATA_DIR: dataDir })
      expect(restarted.output()).not.toMatch(/invalid line|unreadable/)
      const stored = requestsOnDisk(dataDir).map((r) => r.id)
      const found = confirmed.filter((id) => stored.includes(id)).length
      console.log(`full disk: ${confirmed.length} confirmed (${confirmed.length - 3} before the disk filled, 3 after space came back), ${found} found after SIGKILL and restart`)
      expect(stored).toEqual(expect.arrayContaining(confirmed))
      expect(new Set(stored).size).toBe(stored.length)
      expect((await health(restarted)).status).toBe(200)
    },
    120_000,
  )

  it.skipIf(process.platform !== 'linux')('SIGTERM on a full disk exits without an error stack, and the next start on it succeeds', async (ctx) => {
    const mountPoint = tempDir()
    if (!mountTmpfs(mountPoint, '512k')) return ctx.skip()
    mounts.push(mountPoint)
    const dataDir = path.join(mountPoint, 'state')
    const service = await start({ DATA_DIR: dataDir })
    const wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
    const filed = await fileRequest(wechat, 'oTerm0')
    expect(filed.id).toBeDefined()
    await wechat.text('oTerm1', '请删除我的个人信息')
    try {
      writeFileSync(path.join(mountPoint, 'filler'), Buffer.alloc(1024 * 1024))
    } catch {
      /* full now */
    }
    await wechat.text('oTerm1', '王五')
    const code = await service.stop()
    services.splice(services.indexOf(service), 1)
    expect(code === 0 || code === 1).toBe(true)
    expect(service.output()).not.toMatch(/\n\s+at .*\(/)
    expect(service.output()).not.toMatch(/Uncaught|unhandled/i)

    // Still full at the next start: it starts degraded, with every request, and recovers when space returns.
    const again = await start({ DATA_DIR: dataDir })
    expect(requestsOnDisk(dataDir).map((r) => r.id)).toContain(filed.id)
    rmSync(path.join(mountPoint, 'filler'), { force: true })
    const recovered = await until(async () => (await health(again)).status === 200, 10_000)
    expect(recovered, `${JSON.stringify((await health(again)).body)}\n${again.output()}`).toBe(true)
  }, 90_000)
})

describe('shutdown tells keep-alive clients to move on (real process)', () => {
  it('an in-flight reply carries Connection: close, and idle keep-alive sockets are closed at once', async () => {
    const api = await startFakeWechatApi()
    const dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-keepalive-'))
    const staff = 'oStaffKeepAlive'
    const service = await startService(
      { WECHAT_TOKEN: TOKEN, DATA_DIR: dataDir, STAFF_OPENIDS: staff, WECHAT_APPID: FAKE_APP_ID, WECHAT_APPSECRET: FAKE_APP_SECRET, WECHAT_API_BASE: api.baseUrl },
      30_000,
      { direct: true },
    )
    try {
      const wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
      const filed = await fileRequest(wechat, 'oKeep1')
      const idleAgent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const busyAgent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const signedPost = (from: string, content: string, agent: http.Agent): Promise<{ headers: http.IncomingHttpHeaders; body: string }> => {
        const timestamp = String(Math.floor(Date.now() / 1000))
        const nonce = String(Math.floor(Math.random() * 1e9))
        const signature = createHash('sha1').update([TOKEN, timestamp, nonce].sort().join('')).digest('hex')
        const xml = `<xml><ToUserName><![CDATA[gh_jiku]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${Date.now()}${nonce}</MsgId></xml>`
        return new Promise((resolve, reject) => {
          const req = http.request(`${service.baseUrl}/wechat?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&openid=${from}`, { method: 'POST', agent }, (res) => {
            let body = ''
            res.on('data', (d: Buffer) => (body += d.toString()))
            res.on('end', () => resolve({ headers: res.headers, body }))
          })
          req.on('error', reject)
          req.end(xml)
        })
      }
      // Warm one keep-alive socket and leave it idle.
      const warm = await signedPost('oKeep2', '你们会出售我的信息吗', idleAgent)
      expect(warm.headers.connection).toBe('keep-alive')
      const idleSocketClosed = new Promise<number>((resolve) => {
        for (const sockets of Object.values(idleAgent.freeSockets)) for (const s of sockets ?? []) s.once('close', () => resolve(Date.now()))
      })

      // The requester's notice is slow to send: staff's /verify answer is in flight during SIGTERM.
      api.failNext({ delayMs: 1_500 }, 5, 'custom')
      const inFlight = signedPost(staff, `/verify ${filed.id}`, busyAgent)
      await new Promise((r) => setTimeout(r, 300))
      const stopping = Date.now()
      const exit = service.stop()
      const answered = await inFlight
      expect(Date.now() - stopping, answered.body).toBeGreaterThan(500)
      expect(answered.headers.connection).toBe('close')
      expect(answered.body).toContain(filed.id!)
      expect((await idleSocketClosed) - stopping).toBeLessThan(1_000)
      expect(await exit).toBe(0)
      idleAgent.destroy()
      busyAgent.destroy()
    } finally {
      await service.kill()
      await api.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)
})
