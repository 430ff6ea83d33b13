import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startService, type RunningService } from '../support/service-process.js'
import { WechatClient } from '../support/wechat-client.js'

const TOKEN = 'e2eToken2026'
const APP_ID = 'wxe2e0000000000001'
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'
const STAFF = 'oStaffOpenId01'
const ID = /PR-\d{8}-[A-Z0-9]{6}/

describe('the real service over the WeChat webhook (npm start)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-e2e-'))
  const env = { WECHAT_TOKEN: TOKEN, WECHAT_APPID: APP_ID, WECHAT_ENCODING_AES_KEY: AES_KEY, STAFF_OPENIDS: STAFF, DATA_DIR: dataDir }
  let service: RunningService
  let plain: WechatClient
  let safe: WechatClient
  const clients = (s: RunningService): void => {
    plain = new WechatClient({ baseUrl: s.baseUrl, token: TOKEN })
    safe = new WechatClient({ baseUrl: s.baseUrl, token: TOKEN, appId: APP_ID, encodingAesKey: AES_KEY })
  }

  beforeAll(async () => {
    service = await startService(env)
    clients(service)
  }, 60_000)
  afterAll(async () => {
    await service?.kill()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('is healthy and answers URL verification', async () => {
    expect((await fetch(`${service.baseUrl}/healthz`)).status).toBe(200)
    const res = await fetch(`${service.baseUrl}/wechat?signature=bad&timestamp=1&nonce=2&echostr=hello`)
    expect(res.status).toBe(401)
  })

  it('answers policy questions in Chinese and English, in plaintext and safe mode, quoting the policy', async () => {
    const zh = await safe.text('oUserA', '你们会出售我的信息吗')
    expect(zh).toContain('We do not sell or rent your personal data to any third parties.')
    expect(zh).toMatch(/隐私政策/)
    const en = await plain.text('oUserB', 'Where is your office?')
    expect(en).toContain('Loushanguan Road')
    const unknown = await plain.text('oUserB', 'What time is it in Beijing?')
    expect(unknown).toMatch(/could not find/)
    expect(Buffer.byteLength(zh)).toBeLessThanOrEqual(2048)
  })

  it('refuses forged signatures and hostile XML, and keeps running', async () => {
    const forged = await fetch(`${service.baseUrl}/wechat?signature=${'0'.repeat(40)}&timestamp=${Math.floor(Date.now() / 1000)}&nonce=1`, {
      method: 'POST',
      body: '<xml><Content>x</Content></xml>',
    })
    expect(forged.status).toBe(401)
    const xxe = await plain.post('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>', 'oUserC')
    expect(xxe.status).toBe(400)
    expect(xxe.body).not.toContain('root:')
    expect(await plain.text('oUserC', 'help')).toContain('隐私助手')
  })

  let zhId = ''
  let enId = ''

  it('files a request in Chinese and one in English, and staff verify one', async () => {
    expect(await safe.text('oZhang', '请删除我的个人信息')).toMatch(/姓名/)
    expect(await safe.text('oZhang', '张三')).toMatch(/邮箱或手机号/)
    expect(await safe.text('oZhang', '13812345678')).toMatch(/公司/)
    expect(await safe.text('oZhang', '跳过')).toMatch(/no longer be able to provide you with our products or services/)
    const zhDone = await safe.text('oZhang', '确认')
    zhId = ID.exec(zhDone)![0]
    expect(zhDone).toMatch(/15 天/)

    await plain.text('oSmith', 'give me a copy of my data')
    await plain.text('oSmith', 'My name is John Smith, email john@example.org')
    expect(await plain.text('oSmith', 'skip')).toMatch(/Please confirm/)
    enId = ID.exec(await plain.text('oSmith', 'yes'))![0]

    expect(await plain.text('oIntruder', '/list')).not.toContain(zhId)
    const list = await plain.text(STAFF, '/list')
    expect(list).toContain(zhId)
    expect(list).toContain(enId)
    expect(await plain.text(STAFF, `/verify ${zhId}`)).toMatch(/Verified; due \d{4}-\d{2}-\d{2}/)
  })

  it('after a restart, conversations continue and status shows the due date; data files are private', async () => {
    await plain.text('oHalfway', 'I want to review my data')
    await plain.text('oHalfway', 'Ann Lee')
    await service.stop()
    expect(service.output()).toContain('"event":"service.stopped"')
    service = await startService(env)
    clients(service)

    expect(await plain.text('oHalfway', 'ann@example.org')).toMatch(/company/)
    const status = await safe.text('oZhang', `状态 ${zhId}`)
    expect(status).toMatch(/处理中，答复期限 \d{4}-\d{2}-\d{2}/)
    // The requester was told the due date at verification; it arrives with their next message.
    expect(status + (await safe.text('oZhang', '进度'))).toMatch(/前答复您/)
    expect(await plain.text('oSmith', 'status')).toMatch(new RegExp(`${enId} \\(get a copy of your personal information\\): awaiting identity verification`))
    expect(await plain.text('oSmith', `status ${zhId}`)).toMatch(/You have no request/)

    const shards = readdirSync(path.join(dataDir, 'requests')).filter((f) => f.endsWith('.json'))
    expect(shards.length).toBeGreaterThan(0)
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    for (const f of ['conversations.json', 'conversations.journal', 'held-notices.json', ...shards.map((s) => path.join('requests', s))]) {
      expect(statSync(path.join(dataDir, f)).mode & 0o777).toBe(0o600)
    }
    // No personal data in the logs.
    expect(service.output()).not.toMatch(/John Smith|john@example\.org|13812345678|张三|ann@example/)
  }, 60_000)

  it('40 users filing at once, then SIGKILL: every confirmed request is there after restart', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `oBulk${i}`)
    const ids = await Promise.all(
      users.map(async (u, i) => {
        await plain.text(u, `Delete my data. My name is User Number, email user${i}@example.org`)
        await plain.text(u, 'skip')
        return ID.exec(await plain.text(u, 'yes'))![0]
      }),
    )
    expect(new Set(ids).size).toBe(40)
    await service.kill()
    service = await startService(env)
    clients(service)
    const all = await plain.text(STAFF, '/list submitted')
    expect(all).toMatch(/Requests \(submitted\): 4[1-9]/)
    for (const id of ids.slice(0, 10)) expect(await plain.text(STAFF, `/show ${id}`)).toContain(id)
  }, 90_000)
})
