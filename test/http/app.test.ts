import { Router } from '@koa/router'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createHttpApp, type HttpAppDeps } from '../../src/http/app.js'
import type { StorageStatus } from '../../src/storage/health.js'
import { silentLogger } from '../../src/log.js'
import { FakeAssistant } from '../support/fake-assistant.js'
import { loadConfig } from '../../src/config.js'
import { TestClock } from '../support/test-clock.js'

function app(options: Partial<Pick<HttpAppDeps, 'isReady' | 'extraRouters' | 'storageStatus'>> = {}) {
  return createHttpApp({ config: loadConfig({ NODE_ENV: 'test', WECHAT_TOKEN: 'httpAppTest1' }), assistant: new FakeAssistant(), logger: silentLogger(), clock: new TestClock(), ...options })
}

describe('HTTP app', () => {
  it('GET /healthz answers 200 JSON with status ok', async () => {
    const res = await request(app().callback()).get('/healthz')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/application\/json/)
    expect(res.body).toMatchObject({ status: 'ok' })
  })

  it('takes the client address from X-Forwarded-For only with TRUST_PROXY', async () => {
    const ipRouter = new Router()
    ipRouter.get('/ip', (ctx) => void (ctx.body = ctx.ip))
    const build = (env: Record<string, string>) =>
      createHttpApp({ config: loadConfig({ WECHAT_TOKEN: 'httpAppTest1', ...env }), assistant: new FakeAssistant(), logger: silentLogger(), clock: new TestClock(), extraRouters: [ipRouter] })
    const direct = await request(build({}).callback()).get('/ip').set('X-Forwarded-For', '203.0.113.9')
    expect(direct.text).not.toBe('203.0.113.9')
    const proxied = await request(build({ TRUST_PROXY: 'true' }).callback()).get('/ip').set('X-Forwarded-For', '203.0.113.9')
    expect(proxied.text).toBe('203.0.113.9')
  })

  it('GET /healthz answers 503 while not ready', async () => {
    let ready = false
    const a = app({ isReady: () => ready })
    const res = await request(a.callback()).get('/healthz')
    expect(res.status).toBe(503)
    expect(res.body).toMatchObject({ status: 'unavailable' })
    ready = true
    expect((await request(a.callback()).get('/healthz')).status).toBe(200)
  })

  it('GET /healthz answers 503 degraded with the errno code while state cannot be written, and 200 again after', async () => {
    let storage: StorageStatus = { ok: false, code: 'ENOSPC', file: '/srv/state/requests/journal.ndjson', since: '2026-11-29T02:00:00.000Z' }
    const a = app({ storageStatus: () => storage })
    const res = await request(a.callback()).get('/healthz')
    expect(res.status).toBe(503)
    expect(res.body).toMatchObject({ status: 'degraded', storage: 'ENOSPC' })
    // The path stays in the log; the probe only needs the reason.
    expect(JSON.stringify(res.body)).not.toContain('/srv/state')
    storage = { ok: true }
    expect((await request(a.callback()).get('/healthz')).status).toBe(200)
  })

  it('answers 404 for other paths and 405 for other methods on /wechat', async () => {
    const agent = request(app().callback())
    expect((await agent.get('/nope')).status).toBe(404)
    expect((await agent.get('/wechat/extra')).status).toBe(404)
    const put = await agent.put('/wechat')
    expect(put.status).toBe(405)
    expect(put.text).not.toMatch(/\n\s+at /)
  })

  it('mounts extra routers, and turns their unexpected errors into a bare 500', async () => {
    const extra = new Router()
    extra.get('/extra', (ctx) => {
      ctx.body = 'extra'
    })
    extra.get('/boom', () => {
      throw new Error('secret detail at /srv/app.ts:12')
    })
    const agent = request(app({ extraRouters: [extra] }).callback())
    expect((await agent.get('/extra')).text).toBe('extra')
    const boom = await agent.get('/boom')
    expect(boom.status).toBe(500)
    expect(boom.text).toBe('Internal Server Error')
  })
})
