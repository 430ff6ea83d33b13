import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sparticuz from '@sparticuz/chromium'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeWechatApi, type FakeWechatApi } from '../support/fake-wechat-api.js'
import { startService, type RunningService } from '../support/service-process.js'
import { WechatClient } from '../support/wechat-client.js'

const TOKEN = 'e2eConsole2026'
const STAFF = 'oStaffConsole01'
const REQUESTER = 'oRequesterConsole'
const HOSTILE_USER = 'oHostileConsole'
const HOSTILE = '<script>alert(3)</script><img src=x onerror=alert(4)> please call me'
const ID = /PR-\d{8}-[A-Z0-9]{6}/
const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? path.join(tmpdir(), 'jiku-console-screenshots')

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

async function waitFor<T>(probe: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = probe()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * The package's flags are made for one page per cloud function: --single-process cannot hold a second
 * browser context, and --disable-web-security (with its companions) would switch off the very
 * same-origin and SameSite protections this test is about.
 */
const BROWSER_ARGS = sparticuz.args.filter(
  (a) => !['--single-process', '--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials'].includes(a),
)

/** playwright-core has no test matchers: wait for a locator, or poll its text. */
const visible = (locator: Locator): Promise<void> => locator.waitFor({ state: 'visible', timeout: 10_000 })
const hasText = (locator: Locator, text: string): Promise<void> => expect.poll(async () => (await locator.first().textContent()) ?? '', { timeout: 10_000 }).toContain(text)

/** No horizontal scrolling: the page fits the viewport's width. */
// An expression, not a function: the type check knows no DOM (tsconfig lib has none).
const fitsWidth = (page: Page): Promise<boolean> => page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth')

describe('the staff console in a real browser', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-e2e-console-'))
  let api: FakeWechatApi
  let service: RunningService
  let wechat: WechatClient
  let browser: Browser
  let staff: BrowserContext
  let base = ''
  let link = ''
  let requestId = ''
  let hostileId = ''
  let overdueId = ''
  const dialogs: string[] = []

  const shot = async (page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
  }
  const toRequester = (pattern: RegExp) => api.messages.find((m) => m.touser === REQUESTER && pattern.test(m.content))

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    api = await startFakeWechatApi()
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    service = await startService({
      PORT: String(port),
      PUBLIC_URL: base,
      WECHAT_TOKEN: TOKEN,
      WECHAT_APPID: FAKE_APP_ID,
      WECHAT_APPSECRET: FAKE_APP_SECRET,
      WECHAT_API_BASE: api.baseUrl,
      STAFF_OPENIDS: STAFF,
      DATA_DIR: dataDir,
      // A window of one second makes a request verified in the chat overdue at once.
      RESPONSE_WINDOW: 'PT1S',
    })
    wechat = new WechatClient({ baseUrl: service.baseUrl, token: TOKEN })
    browser = await chromium.launch({ executablePath: await sparticuz.executablePath(), args: BROWSER_ARGS, headless: true })
    staff = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    // Stand-ins for other sites: the chat a link is tapped in, and a hostile page.
    await staff.route('https://chat.example/**', (route) => route.fulfill({ contentType: 'text/html', body: `<a id="link" href="${link}">console</a>` }))
    await staff.route('https://evil.example/**', (route) => route.fulfill({ contentType: 'text/html', body: '<p>hello</p>' }))
    staff.on('page', (p) => p.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss())))
  }, 90_000)

  afterAll(async () => {
    await browser?.close()
    await service?.kill()
    await api?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('a request filed over the webhook; staff get a one-time link with /console', async () => {
    await wechat.text(REQUESTER, 'Delete my data. My name is Test User, email test@example.org')
    await wechat.text(REQUESTER, 'skip')
    requestId = ID.exec(await wechat.text(REQUESTER, 'yes'))![0]
    await wechat.text(HOSTILE_USER, '人工')
    hostileId = ID.exec(await wechat.text(HOSTILE_USER, HOSTILE))![0]
    await wechat.text('oLatePerson', 'I want a copy of my data. My name is Late Person, email late@example.org')
    await wechat.text('oLatePerson', 'skip')
    overdueId = ID.exec(await wechat.text('oLatePerson', 'yes'))![0]
    expect(await wechat.text(STAFF, `/verify ${overdueId}`)).toMatch(/Verified/)
    const reply = await wechat.text(STAFF, '/console')
    link = /https?:\/\/\S+\/console\/login\?token=[\w-]+/.exec(reply)![0]
    expect(link.startsWith(`${base}/console/login?token=`)).toBe(true)
    expect(reply).toMatch(/works once/)
    expect(await wechat.text('oStranger', '/console')).not.toContain('/console/login')
    expect(service.output()).not.toContain(new URL(link).searchParams.get('token')!)
  }, 30_000)

  it('the link tapped in a chat (another site) signs in, and the queue shows the request', async () => {
    // Staff were told the request verified in the chat is overdue: it is, by now.
    await waitFor(() => api.messages.find((m) => m.touser === STAFF && m.content.includes(overdueId) && /逾期/.test(m.content)))
    const page = await staff.newPage()
    await page.goto('https://chat.example/')
    await page.click('#link')
    await page.waitForURL(`${base}/console`)
    await visible(page.locator('table.queue').first().getByRole('link', { name: requestId }))
    // Overdue rows stand out, and come first.
    await visible(page.locator('tr.overdue', { hasText: overdueId }))
    expect(await page.locator('table.queue').first().locator('tbody tr').first().textContent()).toContain(overdueId)
    expect(await page.locator('h1').textContent()).toContain('请求队列 Request queue')
    const cookies = await staff.cookies(base)
    expect(cookies).toEqual([expect.objectContaining({ name: 'jiku-console', httpOnly: true, sameSite: 'Strict' })])
    await shot(page, 'queue-desktop')
    await page.close()
  }, 30_000)

  it('the link works once', async () => {
    const page = await staff.newPage()
    const res = await page.goto(link)
    expect(res?.status()).toBe(401)
    await visible(page.getByText('This link does not work'))
    await page.close()
  })

  it('verify, reply and close with a click: the requester hears each through WeChat’s API', async () => {
    const page = await staff.newPage()
    await page.goto(`${base}/console`)
    await page.getByRole('link', { name: requestId }).click()
    await page.waitForURL(`${base}/console/requests/${requestId}`)
    await page.getByRole('button', { name: '核验 Verify' }).click()
    await hasText(page.locator('.flash'), 'Verified; due')
    await hasText(page.locator('.flash'), 'Delivered to the requester')
    const dueMessage = await waitFor(() => toRequester(/前答复您/))
    expect(dueMessage.content).toContain(requestId)
    await shot(page, 'request-desktop')

    await page.locator('textarea[name="text"]').fill('Your data has been deleted.')
    await page.getByRole('button', { name: '回复 Reply' }).click()
    await hasText(page.locator('.flash'), `Reply to ${requestId} recorded`)
    await waitFor(() => toRequester(/Your data has been deleted\./))

    await page.getByRole('button', { name: '关闭 Close' }).click()
    await hasText(page.locator('.flash'), 'Closed')
    await waitFor(() => toRequester(/已办结/))
    await hasText(page.locator('h1 .state'), 'closed')
    const history = page.locator('section', { hasText: '记录 History' })
    await hasText(history, `staff:${STAFF}`)
    expect(await history.getByText('控制台 console').count()).toBe(3)
    expect(await page.locator('tr.msg-delivered').count()).toBe(3)
    await page.close()
  }, 60_000)

  it('what a requester typed renders as text, never as markup', async () => {
    const page = await staff.newPage()
    await page.goto(`${base}/console/requests/${hostileId}`)
    await visible(page.getByText(HOSTILE))
    expect(await page.locator('script').count()).toBe(0)
    expect(await page.locator('img').count()).toBe(0)
    expect(dialogs).toEqual([])
    await page.close()
  })

  it('a stranger without the cookie sees how to sign in and nothing else', async () => {
    const stranger = await browser.newContext()
    const page = await stranger.newPage()
    for (const url of [`${base}/console`, `${base}/console/requests/${hostileId}`, `${base}/console/export/requests.csv`]) {
      const res = await page.goto(url)
      expect(res?.status()).toBe(401)
      const text = await page.locator('body').innerText()
      expect(text).toContain('/console')
      expect(text).not.toContain(hostileId)
      expect(text).not.toContain(requestId)
    }
    await stranger.close()
  })

  it('forged cross-site posts change nothing', async () => {
    const before = await staff.request.get(`${base}/console/requests/${hostileId}`)
    const csrf = /name="csrf" value="([^"]+)"/.exec(await before.text())![1]!
    // With the staff cookie and the right token, but from another origin.
    const foreign = await staff.request.post(`${base}/console/requests/${hostileId}/reject`, { headers: { Origin: 'https://evil.example' }, form: { csrf, reason: 'forged' }, maxRedirects: 0 })
    expect(foreign.status()).toBe(403)
    // With the cookie and our origin, but no token.
    const tokenless = await staff.request.post(`${base}/console/requests/${hostileId}/reject`, { headers: { Origin: base }, form: { reason: 'forged' }, maxRedirects: 0 })
    expect(tokenless.status()).toBe(403)
    // A page on another site posting a form in the browser: the Strict cookie does not even go along.
    const evil = await staff.newPage()
    await evil.goto('https://evil.example/')
    const status = await evil.evaluate(async (url) => {
      const res = await fetch(url, { method: 'POST', credentials: 'include', mode: 'cors', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'reason=forged' }).catch(() => undefined)
      return res?.status ?? 0
    }, `${base}/console/requests/${hostileId}/reject`)
    expect([0, 401, 403]).toContain(status)
    await evil.close()
    const after = await staff.request.get(`${base}/console/requests/${hostileId}`)
    const page = await after.text()
    expect(page).toContain('state-submitted')
    expect(page).not.toContain('forged')
    expect(api.messages.some((m) => m.touser === HOSTILE_USER && /declined/.test(m.content))).toBe(false)
  })

  it('on a phone (390 px): no horizontal scroll; screenshots of the queue, a request and the dashboard', async () => {
    const desktop = await staff.newPage()
    await desktop.goto(`${base}/console/dashboard`)
    await visible(desktop.locator('svg.chart'))
    await hasText(desktop.locator('ul.tiles'), '待处理 Open')
    await shot(desktop, 'dashboard-desktop')
    await desktop.close()
    // The overdue escalation is on the request's page.
    const reminders = await staff.newPage()
    await reminders.goto(`${base}/console/requests/${overdueId}`)
    await hasText(reminders.locator('section', { hasText: '提醒 Reminders to staff' }), 'Overdue notice #1')
    await hasText(reminders.locator('section', { hasText: '记录 History' }), '聊天 chat')
    await reminders.close()
    const phone = await staff.newPage()
    await phone.setViewportSize({ width: 390, height: 844 })
    for (const [name, url] of [
      ['queue-phone', `${base}/console`],
      ['request-phone', `${base}/console/requests/${overdueId}`],
      ['dashboard-phone', `${base}/console/dashboard`],
    ] as const) {
      await phone.goto(url)
      expect(await fitsWidth(phone), name).toBe(true)
      await shot(phone, name)
    }
    await phone.close()
  }, 30_000)

  it('exports are CSV with a BOM and no personal data', async () => {
    const res = await staff.request.get(`${base}/console/export/requests.csv`)
    expect(res.headers()['content-type']).toBe('text/csv; charset=utf-8')
    const body = (await res.body()).toString('utf8')
    expect(body.startsWith('\uFEFFid,')).toBe(true)
    expect(body).toContain(requestId)
    expect(body).not.toMatch(/Test User|test@example\.org|please call me/)
    const audit = (await (await staff.request.get(`${base}/console/export/audit.csv`)).body()).toString('utf8')
    expect(audit).toContain(`${requestId},`)
    expect(audit).toMatch(new RegExp(`staff:${STAFF},console,verified`))
  })

  it('logs carry no token, no personal data and no staff OpenID', async () => {
    const log = service.output()
    expect(log).toContain('"event":"console.signed_in"')
    expect(log).toContain('"event":"console.post_refused"')
    expect(log).not.toContain(new URL(link).searchParams.get('token')!)
    expect(log).not.toMatch(/Test User|test@example\.org|please call me|Late Person|Your data has been deleted/)
    expect(log).not.toContain(STAFF)
  })
})
