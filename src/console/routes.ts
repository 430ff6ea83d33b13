import { readFileSync } from 'node:fs'
import { Router } from '@koa/router'
import type { Context, Middleware } from 'koa'
import type { StaffActions } from '../assistant/staff/actions.js'
import * as texts from '../assistant/staff/texts.js'
import type { KeyValueStore } from '../assistant/stores.js'
import type { KeptQuestion } from '../assistant/unanswered.js'
import type { Clock } from '../clock.js'
import { userTag, type Logger } from '../log.js'
import { parseRequestId } from '../requests/ids.js'
import type { RightsRequest } from '../requests/model.js'
import type { RequestRepository } from '../requests/repository.js'
import { MAX_STAFF_TEXT } from '../assistant/staff/parse.js'
import { ACTIONS, runAction, type Action, type Flash } from './actions.js'
import { sessionCookie } from './cookie.js'
import { checkPost } from './csrf.js'
import { consoleHeaders, html, readForm, seeOther } from './http.js'
import type { DeliveryProbe, MessageLog } from './messages.js'
import { buildQueue, parseQueueQuery, STATE_FILTERS } from './queue.js'
import { SlidingWindowLimit } from './rate-limit.js'
import { mountReports } from './report-routes.js'
import { requestView } from './request-view.js'
import type { ConsoleSession, ConsoleSessions } from './sessions.js'
import { csrfToken, digest } from './tokens.js'
import { page, STATE_FILTER_NAMES, TYPE_OPTIONS, type Chrome } from './views.js'

export interface ConsoleDeps {
  readonly sessions: ConsoleSessions
  readonly requests: RequestRepository
  /** The staff actions, built with `via: 'console'`: the same code as the chat commands. */
  readonly actions: StaffActions
  readonly messages: MessageLog
  /**
   * What the last action of each session did, shown once on the request page it redirects to. Kept
   * in storage, by a digest of the session: with several replicas the redirect may land on another.
   */
  readonly flashes: KeyValueStore<Flash>
  readonly probe: DeliveryProbe
  /** Questions the policy could not answer since a time (masked, without who asked). */
  readonly unanswered: (since: Date) => Promise<readonly KeptQuestion[]>
  readonly unansweredDays: number
  readonly publicUrl: string
  readonly clock: Clock
  readonly logger: Logger
  /** Failed sign-in attempts one address may make in 10 minutes (default 10). */
  readonly failedLoginsPerWindow?: number
}

const CSS = readFileSync(new URL('./static/console.css', import.meta.url))

const HOW_TO_SIGN_IN = [
  '请用工作人员微信向公众号发送 /console（或“控制台”），然后打开收到的一次性链接。',
  'Send /console (or 控制台) to the Official Account from your staff WeChat, then open the one-time link it sends you.',
]

/** The staff console under /console: sign-in by one-time link, then the queue, requests, dashboard and exports. */
export function createConsoleRouter(deps: ConsoleDeps): Router {
  const { sessions, requests, actions, clock, logger } = deps
  const cookie = sessionCookie(deps.publicUrl)
  const publicOrigin = new URL(deps.publicUrl).origin
  const failedLogins = new SlidingWindowLimit(deps.failedLoginsPerWindow ?? 10, 10 * 60_000)
  const { flashes } = deps
  const router = new Router()
  router.use('/console', consoleHeaders)

  const chromeFor = (session: ConsoleSession, title: string, active?: Chrome['active']): Chrome => ({ title, csrf: csrfToken(session.secret), active })

  const notice = (ctx: Context, status: number, heading: string, lines: readonly string[], link?: { href: string; label: string }): void =>
    html(ctx, status, page('notice', { heading, lines, link }, { title: heading }))

  /** Every page but the style sheet and the sign-in link needs a live session; without one: how to get one, and nothing else. */
  const signedIn: Middleware = async (ctx, next) => {
    const session = await sessions.lookup(ctx.cookies.get(cookie.name), clock.now())
    if (!session) return notice(ctx, 401, '请先登录 Please sign in', HOW_TO_SIGN_IN)
    ctx.state.session = session
    await next()
  }
  const sessionOf = (ctx: Context): ConsoleSession => ctx.state.session as ConsoleSession

  /** A state-changing post must come from a console page of this session. */
  async function postedForm(ctx: Context): Promise<URLSearchParams | undefined> {
    const form = await readForm(ctx)
    const refused = checkPost({ origin: ctx.get('origin'), secFetchSite: ctx.get('sec-fetch-site'), token: form.get('csrf') ?? undefined }, sessionOf(ctx).secret, publicOrigin)
    if (!refused) return form
    logger.warn({ event: 'console.post_refused', reason: refused, user: userTag(sessionOf(ctx).actor) })
    notice(ctx, 403, '请求被拒绝 Refused', ['此表单不是从本控制台提交的，未做任何更改。 This form did not come from this console: nothing was changed.'], { href: '/console', label: '返回队列 Back to the queue' })
    return undefined
  }

  router.get('/console/static/console.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8'
    ctx.set('Cache-Control', 'no-cache')
    ctx.body = CSS
  })

  router.get('/console/login', async (ctx) => {
    const now = clock.now()
    const address = ctx.ip
    if (failedLogins.blocked(address, now)) {
      logger.warn({ event: 'console.login_throttled' })
      return notice(ctx, 429, '尝试过多 Too many attempts', ['请 10 分钟后再试。 Try again in 10 minutes.', ...HOW_TO_SIGN_IN])
    }
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : ''
    const session = await sessions.redeem(token, now)
    if (!session) {
      failedLogins.count(address, now)
      logger.warn({ event: 'console.login_refused' })
      return notice(ctx, 401, '链接无效 This link does not work', ['链接已使用过、已过期或不完整。每个链接只能使用一次。 The link was used already, has expired or is incomplete; each link works once.', ...HOW_TO_SIGN_IN])
    }
    ctx.append('Set-Cookie', cookie.set(session.secret))
    logger.info({ event: 'console.signed_in', user: userTag(session.actor) })
    // 200 and a page that moves on by itself, not a redirect: see cookie.ts for why.
    html(ctx, 200, page('notice', { heading: '已登录 Signed in', lines: ['正在打开控制台… Opening the console…'], link: { href: '/console', label: '进入控制台 Open the console' } }, { title: '已登录 Signed in', refreshTo: '/console' }))
  })

  router.post('/console/logout', signedIn, async (ctx) => {
    if (!(await postedForm(ctx))) return
    await sessions.end(sessionOf(ctx).secret)
    ctx.append('Set-Cookie', cookie.clear())
    logger.info({ event: 'console.signed_out', user: userTag(sessionOf(ctx).actor) })
    notice(ctx, 200, '已退出 Signed out', HOW_TO_SIGN_IN)
  })

  router.get('/console', signedIn, async (ctx) => {
    const query = parseQueueQuery(ctx.query)
    const all = await requests.list()
    // An exact id goes straight to its page.
    const exact = query.q ? all.find((r) => r.id === query.q) : undefined
    if (exact) return seeOther(ctx, `/console/requests/${exact.id}`)
    const queue = buildQueue(all, query, clock.now())
    const states = STATE_FILTERS.map((s) => ({ value: s, label: STATE_FILTER_NAMES[s] }))
    html(ctx, 200, page('queue', { ...queue, query, states, types: TYPE_OPTIONS }, chromeFor(sessionOf(ctx), '请求队列 Queue', 'queue')))
  })

  router.get('/console/requests/:id', signedIn, async (ctx) => {
    const r = await findRequest(ctx)
    if (!r) return
    const key = digest(sessionOf(ctx).secret)
    const flash = await flashes.get(key)
    if (flash) await flashes.delete(key)
    const view = await requestView(r, clock.now(), deps.messages, deps.probe)
    const data = { r: view, flash: flash?.id === r.id ? flash : undefined, csrf: csrfToken(sessionOf(ctx).secret), maxText: MAX_STAFF_TEXT }
    html(ctx, 200, page('request', data, chromeFor(sessionOf(ctx), r.id, 'queue')))
  })

  router.post('/console/requests/:id/:action', signedIn, async (ctx) => {
    const form = await postedForm(ctx)
    if (!form) return
    const action = ctx.params.action ?? ''
    const id = parseRequestId(ctx.params.id ?? '')
    if (!id || !ACTIONS.has(action)) return notice(ctx, 404, '未找到 Not found', [])
    const flash = await runAction(actions, action as Action, id, form, sessionOf(ctx).actor, clock.now())
    if (!flash) return notice(ctx, 404, '未找到 Not found', [texts.noSuchRequest(id)], { href: '/console', label: '返回队列 Back to the queue' })
    await flashes.set(digest(sessionOf(ctx).secret), flash)
    seeOther(ctx, `/console/requests/${id}`)
  })

  mountReports(router, { ...deps, signedIn, chromeFor: (ctx, title, active) => chromeFor(sessionOf(ctx), title, active) })

  async function findRequest(ctx: Context): Promise<RightsRequest | undefined> {
    const id = parseRequestId(ctx.params.id ?? '')
    const r = id ? await requests.get(id) : undefined
    if (!r) notice(ctx, 404, '未找到 Not found', [texts.noSuchRequest(id ?? '?')], { href: '/console', label: '返回队列 Back to the queue' })
    return r
  }

  return router
}
