import { Duration } from 'luxon'
import Koa from 'koa'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createHeldNotices } from '../../src/assistant/held-notices.js'
import { createStaffActions } from '../../src/assistant/staff/actions.js'
import { messageDigest, messageState, recordingNotifier, type SentMessage } from '../../src/console/messages.js'
import { createConsoleRouter } from '../../src/console/routes.js'
import { ConsoleSessions, type ConsoleEntry } from '../../src/console/sessions.js'
import { silentLogger } from '../../src/log.js'
import { personKey } from '../../src/person-key.js'
import { MemoryRequestRepository } from '../../src/requests/memory-repository.js'
import { createDueDate } from '../../src/schedule/due-date.js'
import { MemoryKeyValueStore } from '../../src/storage/conversation-store.js'
import { holdingNotifier } from '../support/holding-notifier.js'
import { TestClock } from '../support/test-clock.js'

const PUBLIC = 'https://console.jiku.example'
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>'

async function setup() {
  const clock = new TestClock()
  const logger = silentLogger()
  const requests = new MemoryRequestRepository({ clock })
  const heldStore = new MemoryKeyValueStore<{ texts: string[] }>(clock)
  const held = createHeldNotices(heldStore)
  const messages = new MemoryKeyValueStore<{ messages: SentMessage[] }>(clock)
  const sessions = new ConsoleSessions({ store: new MemoryKeyValueStore<ConsoleEntry>(clock), publicUrl: PUBLIC, linkTtlMs: 600_000, sessionIdleMs: 8 * 3600_000 })
  const actions = createStaffActions({
    requests,
    notifier: recordingNotifier(holdingNotifier(held), messages, clock, logger),
    logger,
    dueDate: createDueDate(Duration.fromISO('P15D'), 'calendar'),
    via: 'console',
  })
  const router = createConsoleRouter({
    sessions,
    requests,
    actions,
    messages,
    flashes: new MemoryKeyValueStore(clock),
    probe: { inOutbox: () => [], held: async (to) => ((await heldStore.get(personKey(to)))?.texts ?? []).map(messageDigest) },
    unanswered: async () => [{ q: '=what about [phone]?', lang: 'en', at: clock.now().toISOString() }],
    unansweredDays: 90,
    publicUrl: PUBLIC,
    clock,
    logger,
    failedLoginsPerWindow: 3,
  })
  const app = new Koa()
  app.use(router.routes())
  const server = app.callback()
  const filed = await requests.create({ kind: 'rights', type: 'correct', channel: 'wechat-oa', userId: 'oRequester', personal: { name: HOSTILE, details: { what: HOSTILE } } })
  const signIn = async (): Promise<{ cookie: string; csrf: string }> => {
    const link = await sessions.issue('staff:oStaff', clock.now())
    const res = await request(server).get(new URL((link as { url: string }).url).pathname + new URL((link as { url: string }).url).search)
    const cookie = String(res.headers['set-cookie']![0]).split(';')[0]!
    const page = await request(server).get(`/console/requests/${filed.id}`).set('Cookie', cookie)
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page.text)![1]! }
  }
  return { clock, requests, sessions, server, filed, signIn, held }
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString()

describe('console routes', () => {
  it('without a session every page is a 401 that explains how to sign in and shows no data', async () => {
    const { server, filed } = await setup()
    for (const path of ['/console', `/console/requests/${filed.id}`, '/console/dashboard', '/console/unanswered', '/console/export/requests.csv', '/console/export/audit.csv']) {
      const res = await request(server).get(path)
      expect(res.status).toBe(401)
      expect(res.text).toContain('/console')
      expect(res.text).toContain('控制台')
      expect(res.text).not.toContain(filed.id)
      expect(res.headers['content-security-policy']).toContain("script-src 'self'")
    }
    const post = await request(server).post(`/console/requests/${filed.id}/verify`).type('form').send('csrf=x')
    expect(post.status).toBe(401)
  })

  it('a link signs in once: Strict HttpOnly Secure cookie with the __Host- prefix; 200 page moving on to /console', async () => {
    const { server, sessions, clock } = await setup()
    const url = new URL(((await sessions.issue('staff:oStaff', clock.now())) as { url: string }).url)
    const first = await request(server).get(url.pathname + url.search)
    expect(first.status).toBe(200)
    expect(first.headers['set-cookie']![0]).toMatch(/^__Host-jiku-console=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Secure$/)
    expect(first.text).toContain('http-equiv="refresh" content="0;url=/console"')
    expect(first.headers['referrer-policy']).toBe('no-referrer')
    expect(first.headers['cache-control']).toBe('no-store')
    const second = await request(server).get(url.pathname + url.search)
    expect(second.status).toBe(401)
    expect(second.headers['set-cookie']).toBeUndefined()
  })

  it('rate-limits failed sign-in attempts per address', async () => {
    const { server, sessions, clock } = await setup()
    for (let i = 0; i < 3; i++) expect((await request(server).get(`/console/login?token=${'x'.repeat(43)}`)).status).toBe(401)
    const url = new URL(((await sessions.issue('staff:oStaff', clock.now())) as { url: string }).url)
    expect((await request(server).get(url.pathname + url.search)).status).toBe(429)
    // The refused attempt did not use the link up: once the window has passed, a fresh link works.
    clock.advance(10 * 60_000 + 1)
    const fresh = new URL(((await sessions.issue('staff:oStaff', clock.now())) as { url: string }).url)
    expect((await request(server).get(fresh.pathname + fresh.search)).status).toBe(200)
  })

  it('renders what requesters typed as text', async () => {
    const { server, filed, signIn } = await setup()
    const { cookie } = await signIn()
    const page = await request(server).get(`/console/requests/${filed.id}`).set('Cookie', cookie)
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('<script>alert')
    expect(page.text).not.toContain('<img src=x')
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;')
  })

  it('an action goes through the staff actions: audit marked via console by the staff member, outcome shown once after a 303', async () => {
    const { server, filed, signIn, requests, held } = await setup()
    const { cookie, csrf } = await signIn()
    const res = await request(server).post(`/console/requests/${filed.id}/verify`).set('Cookie', cookie).set('Origin', PUBLIC).type('form').send(form({ csrf }))
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe(`/console/requests/${filed.id}`)
    // The outcome is shown once, in the chat's words.
    const outcome = await request(server).get(`/console/requests/${filed.id}`).set('Cookie', cookie)
    expect(outcome.text).toContain('Verified; due 2026-12-14')
    expect(outcome.text).toContain('Waiting: the requester is outside the 48-hour window')
    const r = await requests.get(filed.id)
    expect(r?.state).toBe('verified')
    expect(r?.audit.at(-1)).toMatchObject({ actor: 'staff:oStaff', action: 'verified', via: 'console' })
    const waiting = await request(server).get(`/console/requests/${filed.id}`).set('Cookie', cookie)
    expect(waiting.text).toContain('Waiting for their next message (48-hour window closed)')
    expect(await held.take({ channel: 'wechat-oa', userId: 'oRequester' })).toEqual([expect.stringContaining('2026-12-14')])
    const page = await request(server).get(`/console/requests/${filed.id}`).set('Cookie', cookie)
    // Taken with their next message: delivered later.
    expect(page.text).toContain('已送达（稍后）Delivered later')
    const again = await request(server).get(`/console/requests/${filed.id}`).set('Cookie', cookie)
    expect(again.text).not.toContain('Verified; due 2026-12-14')
  })

  it('refuses a reject without a reason, and a second verify, saying why', async () => {
    const { server, filed, signIn, requests } = await setup()
    const { cookie, csrf } = await signIn()
    const post = (action: string, fields: Record<string, string> = {}) =>
      request(server).post(`/console/requests/${filed.id}/${action}`).set('Cookie', cookie).set('Origin', PUBLIC).type('form').send(form({ csrf, ...fields }))
    await post('reject', { reason: '  ' })
    expect((await requests.get(filed.id))?.state).toBe('submitted')
    expect((await request(server).get(`/console/requests/${filed.id}`).set('Cookie', cookie)).text).toContain('Missing text')
    await post('verify')
    await post('verify')
    expect((await request(server).get(`/console/requests/${filed.id}`).set('Cookie', cookie)).text).toContain('cannot verify again')
  })

  it('a cross-site post carrying the cookie changes nothing (403)', async () => {
    const { server, filed, signIn, requests } = await setup()
    const { cookie, csrf } = await signIn()
    const foreign = await request(server).post(`/console/requests/${filed.id}/reject`).set('Cookie', cookie).set('Origin', 'https://evil.example').type('form').send(form({ csrf, reason: 'x' }))
    expect(foreign.status).toBe(403)
    const noToken = await request(server).post(`/console/requests/${filed.id}/reject`).set('Cookie', cookie).set('Origin', PUBLIC).type('form').send(form({ reason: 'x' }))
    expect(noToken.status).toBe(403)
    const r = await requests.get(filed.id)
    expect(r?.state).toBe('submitted')
    expect(r?.audit).toHaveLength(1)
  })

  it('exports CSV with a BOM, and signs out with a CSRF-checked post', async () => {
    const { server, filed, signIn } = await setup()
    const { cookie, csrf } = await signIn()
    const csv = await request(server).get('/console/export/requests.csv').set('Cookie', cookie).buffer(true).parse((res, done) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (data += c))
      res.on('end', () => done(null, data))
    })
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="requests-\d{4}-\d{2}-\d{2}\.csv"/)
    expect(String(csv.body).startsWith('\uFEFFid,kind,type,state')).toBe(true)
    expect(String(csv.body)).toContain(filed.id)
    expect(String(csv.body)).not.toContain('alert')
    const unanswered = await request(server).get('/console/unanswered').set('Cookie', cookie)
    expect(unanswered.text).toContain('=what about [phone]?')
    expect((await request(server).post('/console/logout').set('Cookie', cookie).set('Origin', 'https://evil.example').type('form').send(form({ csrf }))).status).toBe(403)
    const out = await request(server).post('/console/logout').set('Cookie', cookie).set('Origin', PUBLIC).type('form').send(form({ csrf }))
    expect(out.status).toBe(200)
    expect(out.headers['set-cookie']![0]).toContain('Max-Age=0')
    expect((await request(server).get('/console').set('Cookie', cookie)).status).toBe(401)
  })
})

describe('where a message to a requester is now', () => {
  const sent = (delivery: SentMessage['delivery']): SentMessage => ({ at: '2026-11-29T02:00:00.000Z', status: 'replied', delivery, digest: messageDigest('hello') })
  it('is read from the outbox and the held notices', () => {
    expect(messageState(sent('queued'), [messageDigest('hello')], [])).toBe('retrying')
    expect(messageState(sent('held'), [], [messageDigest('hello')])).toBe('held')
    expect(messageState(sent('unsent'), [], [messageDigest('hello')])).toBe('unsent')
    expect(messageState(sent('sent'), [], [])).toBe('delivered')
    expect(messageState(sent('queued'), [], [])).toBe('delivered-later')
    expect(messageState(sent('held'), [], [messageDigest('other')])).toBe('delivered-later')
  })
})
