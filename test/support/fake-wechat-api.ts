/**
 * A local stand-in for WeChat's server API (api.weixin.qq.com) for tests and manual checks:
 * /cgi-bin/stable_token, /cgi-bin/token, /cgi-bin/message/custom/send and
 * /cgi-bin/message/template/send, with scriptable failures. Written from WeChat's documentation,
 * independent of src.
 *
 * The two token endpoints behave as WeChat documents them, and their tokens are independent:
 * - POST /cgi-bin/stable_token (JSON body) in normal mode hands every caller the same token while
 *   it has more than 5 minutes left, with `expires_in` = the seconds it has left; in its last
 *   5 minutes a call gets a new token, and the old one keeps working until its own expiry.
 *   `force_refresh: true` issues a new token and the previous ones stop working at once (40001);
 *   a forced refresh less than 30 s after the previous one does not refresh (the current token is
 *   answered), and the 21st forced refresh of a day gets 45009.
 * - GET /cgi-bin/token issues a new token on every call; each older /cgi-bin/token token keeps
 *   working for `tokenOverlapSeconds` more (WeChat: 5 minutes), then answers 40001.
 * Expiry is measured on `clock` (the system clock unless a test passes its own).
 *
 * Standalone: `npx tsx test/support/fake-wechat-api.ts --port 4000 [--appid wx… --secret …]`
 * prints every message it receives.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { pathToFileURL } from 'node:url'

export const FAKE_APP_ID = 'wxfake0123456789ab'
export const FAKE_APP_SECRET = 'fake-app-secret-0123456789abcdef'

/** One scripted failure. */
export type FakeFailure =
  | { readonly errcode: number; readonly errmsg?: string }
  | { readonly status: number }
  | { readonly garbage: true }
  /** Answer normally, but only after this delay (use a delay above the client's timeout for timeouts). */
  | { readonly delayMs: number }
  /** Close the connection without an answer. */
  | { readonly drop: true }

/** 'stableToken' is /cgi-bin/stable_token, 'token' is /cgi-bin/token. */
export type FakeEndpoint = 'stableToken' | 'token' | 'custom' | 'template'

export interface FakeMessage {
  readonly touser: string
  readonly content: string
}

export interface FakeTemplate {
  readonly touser: string
  readonly templateId: string
  readonly url?: string
  readonly data: Record<string, string>
}

export interface FakeWechatApiOptions {
  readonly port?: number
  readonly appId?: string
  readonly appSecret?: string
  /** Lifetime of issued tokens, in seconds (the expires_in of a new token); default 7200. */
  readonly expiresIn?: number
  /**
   * How long a /cgi-bin/token token keeps working once a newer one was fetched there, in seconds;
   * default 300 (WeChat keeps old and new valid for 5 minutes). 0 refuses it at once.
   */
  readonly tokenOverlapSeconds?: number
  /** Time for token expiry and hand-over; default the system clock. Pass a test's clock to move it. */
  readonly clock?: { now(): Date }
  /** Called for each accepted message (the standalone mode prints them). */
  readonly onMessage?: (message: FakeMessage) => void
  readonly onTemplate?: (template: FakeTemplate) => void
}

export interface FakeWechatApi {
  readonly baseUrl: string
  readonly port: number
  /**
   * Tokens issued so far by either endpoint: every successful /cgi-bin/token answer, plus every
   * /cgi-bin/stable_token answer that carried a new token. A stable_token answer repeating the
   * current token does not count, so replicas sharing one token count 1.
   */
  readonly tokenFetches: number
  /** /cgi-bin/stable_token answers that carried a new token (normal mode or forced). */
  readonly tokensIssued: number
  /** Successful /cgi-bin/stable_token answers to force_refresh: true, whether or not they refreshed. */
  readonly forceRefreshes: number
  /**
   * Requests received per endpoint, whatever the answer (to assert "no API call");
   * `calls.stableToken` counts every /cgi-bin/stable_token request.
   */
  readonly calls: Readonly<Record<FakeEndpoint, number>>
  /** Accepted customer-service text messages, in order. */
  readonly messages: readonly FakeMessage[]
  /** Accepted template messages, in order. */
  readonly templates: readonly FakeTemplate[]
  /** The next `times` requests to `endpoint` (default: custom send) fail as described. */
  failNext(failure: FakeFailure, times?: number, endpoint?: FakeEndpoint): void
  /** While closed, custom sends to this OpenID get 45015 (templates still arrive). */
  setWindowClosed(openId: string, closed: boolean): void
  /** While down, every connection is dropped without an answer. */
  setDown(down: boolean): void
  /**
   * Makes every issued token answer 42001 (expired), as if its time ran out early; the next
   * stable_token call issues a new one.
   */
  expireTokens(): void
  /**
   * Makes every issued token answer 40001 (invalid credential), as when another process forced a
   * refresh; the next stable_token call issues a new one.
   */
  revokeTokens(): void
  close(): Promise<void>
}

const json = (res: ServerResponse, body: unknown, status = 200): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body))
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const rid = (): string => `rid: ${randomBytes(4).toString('hex')}`

/** In normal mode stable_token hands out a new token this long before the current one expires. */
const STABLE_HAND_OVER_MS = 5 * 60_000
/** Forced refreshes closer together than this do not refresh. */
const FORCE_INTERVAL_MS = 30_000
/** Forced refreshes allowed per day. */
const FORCE_DAILY_LIMIT = 20

interface IssuedToken {
  readonly source: 'stable' | 'token'
  /** When it expires on the fake's clock (ms). */
  readonly expiresAt: number
  /** A /cgi-bin/token token superseded by a newer one: answers 40001 from this time (ms). */
  notLatestFrom?: number
  /** Spoiled by expireTokens()/revokeTokens() or a forced refresh. */
  spoiled?: 'expired' | 'revoked'
}

const ENDPOINTS: Readonly<Record<string, FakeEndpoint | undefined>> = {
  '/cgi-bin/stable_token': 'stableToken',
  '/cgi-bin/token': 'token',
  '/cgi-bin/message/custom/send': 'custom',
  '/cgi-bin/message/template/send': 'template',
}

/** Starts the stand-in on 127.0.0.1 (port 0 = any free port). */
export async function startFakeWechatApi(options: FakeWechatApiOptions = {}): Promise<FakeWechatApi> {
  const appId = options.appId ?? FAKE_APP_ID
  const appSecret = options.appSecret ?? FAKE_APP_SECRET
  const clock = options.clock ?? { now: () => new Date() }
  const lifetimeMs = (options.expiresIn ?? 7200) * 1000
  // A lifetime shorter than 10 minutes (tests only) is handed over in its last half.
  const handOverMs = Math.min(STABLE_HAND_OVER_MS, lifetimeMs / 2)
  const overlapMs = (options.tokenOverlapSeconds ?? 300) * 1000
  const tokens = new Map<string, IssuedToken>()
  /** The token stable_token currently hands out in normal mode. */
  let stableCurrent: string | undefined
  let lastForcedAt: number | undefined
  const forcedPerDay = { day: '', count: 0 }
  const failures: Record<FakeEndpoint, FakeFailure[]> = { stableToken: [], token: [], custom: [], template: [] }
  const calls: Record<FakeEndpoint, number> = { stableToken: 0, token: 0, custom: 0, template: 0 }
  const closedWindows = new Set<string>()
  const messages: FakeMessage[] = []
  const templates: FakeTemplate[] = []
  const sockets = new Set<Socket>()
  let tokenFetches = 0
  let tokensIssued = 0
  let forceRefreshes = 0
  let down = false

  const now = (): number => clock.now().getTime()
  const expiredError = (): { errcode: number; errmsg: string } => ({ errcode: 42001, errmsg: `access_token expired ${rid()}` })
  const invalidError = (): { errcode: number; errmsg: string } => ({
    errcode: 40001,
    errmsg: `invalid credential, access_token is invalid or not latest ${rid()}`,
  })

  function tokenError(token: string): { errcode: number; errmsg: string } | null {
    const issued = tokens.get(token)
    if (!issued || issued.spoiled === 'revoked') return invalidError()
    if (issued.spoiled === 'expired') return expiredError()
    const t = now()
    if (t >= issued.expiresAt) return expiredError()
    if (issued.notLatestFrom !== undefined && t >= issued.notLatestFrom) return invalidError()
    return null
  }

  function issue(source: IssuedToken['source']): string {
    const token = `FAKE_TOKEN_${randomBytes(12).toString('hex')}`
    tokens.set(token, { source, expiresAt: now() + lifetimeMs })
    tokenFetches++
    return token
  }

  /** Seconds the token has left, as WeChat's expires_in (never rounded up). */
  const secondsLeft = (token: string): number => Math.max(1, Math.floor((tokens.get(token)!.expiresAt - now()) / 1000))

  function credentialsError(grantType: unknown, appid: unknown, secret: unknown): { errcode: number; errmsg: string } | null {
    if (grantType !== 'client_credential') return { errcode: 40002, errmsg: `invalid grant_type ${rid()}` }
    if (appid !== appId) return { errcode: 40013, errmsg: `invalid appid ${rid()}` }
    if (secret !== appSecret) return { errcode: 40125, errmsg: `invalid appsecret ${rid()}` }
    return null
  }

  async function stableToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return json(res, { errcode: 43002, errmsg: `require POST method ${rid()}` })
    let body: unknown
    try {
      body = JSON.parse(await readBody(req))
    } catch {
      return json(res, { errcode: 47001, errmsg: `data format error ${rid()}` })
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return json(res, { errcode: 47001, errmsg: `data format error ${rid()}` })
    const fields = body as Record<string, unknown>
    const refused = credentialsError(fields.grant_type, fields.appid, fields.secret)
    if (refused) return json(res, refused)
    const t = now()
    const current = stableCurrent !== undefined && tokenError(stableCurrent) === null ? stableCurrent : undefined
    if (fields.force_refresh === true) {
      if (current !== undefined && lastForcedAt !== undefined && t - lastForcedAt < FORCE_INTERVAL_MS) {
        // Forced again within 30 s: WeChat does not refresh.
        forceRefreshes++
        return json(res, { access_token: current, expires_in: secondsLeft(current) })
      }
      const day = new Date(t + 8 * 3_600_000).toISOString().slice(0, 10) // the day in China
      if (forcedPerDay.day !== day) Object.assign(forcedPerDay, { day, count: 0 })
      if (forcedPerDay.count >= FORCE_DAILY_LIMIT) return json(res, { errcode: 45009, errmsg: `reach max api daily quota limit ${rid()}` })
      forcedPerDay.count++
      forceRefreshes++
      lastForcedAt = t
      for (const issued of tokens.values()) if (issued.source === 'stable') issued.spoiled ??= 'revoked'
    } else if (current !== undefined && tokens.get(current)!.expiresAt - t > handOverMs) {
      return json(res, { access_token: current, expires_in: secondsLeft(current) })
    }
    // No current token, its last 5 minutes (it keeps working until it expires), or a forced refresh.
    stableCurrent = issue('stable')
    tokensIssued++
    return json(res, { access_token: stableCurrent, expires_in: lifetimeMs / 1000 })
  }

  async function handle(endpoint: FakeEndpoint, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    calls[endpoint]++
    const failure = failures[endpoint].shift()
    if (failure && 'drop' in failure) return void req.socket.destroy()
    if (failure && 'delayMs' in failure) {
      await new Promise((r) => setTimeout(r, failure.delayMs))
      // The caller gave up (timeout, crash): treat the request as never processed.
      if (req.socket.destroyed) return
    }
    if (failure && 'status' in failure) return void res.writeHead(failure.status, { 'content-type': 'text/html' }).end('<html>upstream error</html>')
    if (failure && 'garbage' in failure) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not json')
    if (failure && 'errcode' in failure) return json(res, { errcode: failure.errcode, errmsg: failure.errmsg ?? `scripted failure ${rid()}` })

    if (endpoint === 'stableToken') return stableToken(req, res)
    if (endpoint === 'token') {
      const query = url.searchParams
      const refused = credentialsError(query.get('grant_type'), query.get('appid'), query.get('secret'))
      if (refused) return json(res, refused)
      // Every fetch here supersedes the tokens fetched here before (stable_token's are unaffected).
      const notLatestFrom = now() + overlapMs
      for (const issued of tokens.values()) if (issued.source === 'token' && issued.notLatestFrom === undefined) issued.notLatestFrom = notLatestFrom
      return json(res, { access_token: issue('token'), expires_in: lifetimeMs / 1000 })
    }
    if (req.method !== 'POST') return json(res, { errcode: 43002, errmsg: `require POST method ${rid()}` })
    const refused = tokenError(url.searchParams.get('access_token') ?? '')
    if (refused) return json(res, refused)
    let body: Record<string, unknown>
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>
    } catch {
      return json(res, { errcode: 47001, errmsg: `data format error ${rid()}` })
    }
    const touser = typeof body.touser === 'string' ? body.touser : ''
    if (!/^[\w-]{6,64}$/.test(touser)) return json(res, { errcode: 40003, errmsg: `invalid openid ${rid()}` })
    if (endpoint === 'custom') {
      const text = body.text as { content?: unknown } | undefined
      if (body.msgtype !== 'text' || typeof text?.content !== 'string') return json(res, { errcode: 40008, errmsg: `invalid message type ${rid()}` })
      if (closedWindows.has(touser)) return json(res, { errcode: 45015, errmsg: `response out of time limit or subscription is canceled ${rid()}` })
      const message = { touser, content: text.content }
      messages.push(message)
      options.onMessage?.(message)
      return json(res, { errcode: 0, errmsg: 'ok' })
    }
    const data = body.data as Record<string, { value?: unknown }> | undefined
    if (typeof body.template_id !== 'string' || typeof data !== 'object' || data === null) return json(res, { errcode: 40037, errmsg: `invalid template_id ${rid()}` })
    const template: FakeTemplate = {
      touser,
      templateId: body.template_id,
      ...(typeof body.url === 'string' ? { url: body.url } : {}),
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v?.value ?? '')])),
    }
    templates.push(template)
    options.onTemplate?.(template)
    return json(res, { errcode: 0, errmsg: 'ok', msgid: 200_000_000 + templates.length })
  }

  const server = createServer((req, res) => {
    if (down) return void req.socket.destroy()
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const endpoint = ENDPOINTS[url.pathname]
    if (!endpoint) return json(res, { errcode: 48001, errmsg: `api unauthorized ${rid()}` }, 404)
    handle(endpoint, url, req, res).catch(() => req.socket.destroy())
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    get tokenFetches() {
      return tokenFetches
    },
    get tokensIssued() {
      return tokensIssued
    },
    get forceRefreshes() {
      return forceRefreshes
    },
    calls,
    messages,
    templates,
    failNext(failure, times = 1, endpoint = 'custom') {
      for (let i = 0; i < times; i++) failures[endpoint].push(failure)
    },
    setWindowClosed(openId, closed) {
      if (closed) closedWindows.add(openId)
      else closedWindows.delete(openId)
    },
    setDown(value) {
      down = value
    },
    expireTokens() {
      for (const issued of tokens.values()) issued.spoiled = 'expired'
      stableCurrent = undefined
    },
    revokeTokens() {
      for (const issued of tokens.values()) issued.spoiled = 'revoked'
      stableCurrent = undefined
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
    },
  }
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const api = await startFakeWechatApi({
    port: Number(argument('port') ?? 4000),
    appId: argument('appid'),
    appSecret: argument('secret'),
    onMessage: (m) => console.log(`[custom]   to ${m.touser}: ${m.content}`),
    onTemplate: (t) => console.log(`[template] to ${t.touser} (${t.templateId}): ${JSON.stringify(t.data)}`),
  })
  console.log(`Fake WeChat API on ${api.baseUrl} — set WECHAT_API_BASE=${api.baseUrl}`)
  console.log(`AppID ${argument('appid') ?? FAKE_APP_ID}, AppSecret ${argument('secret') ?? FAKE_APP_SECRET}`)
  const stop = (): void => void api.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
