/**
 * A local stand-in for WeChat's server API (api.weixin.qq.com) for tests and manual checks:
 * /cgi-bin/token, /cgi-bin/message/custom/send and /cgi-bin/message/template/send, with
 * scriptable failures. Written from WeChat's documentation, independent of src.
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

export type FakeEndpoint = 'token' | 'custom' | 'template'

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
  /** expires_in of issued tokens, in seconds; default 7200. */
  readonly expiresIn?: number
  /** Called for each accepted message (the standalone mode prints them). */
  readonly onMessage?: (message: FakeMessage) => void
  readonly onTemplate?: (template: FakeTemplate) => void
}

export interface FakeWechatApi {
  readonly baseUrl: string
  readonly port: number
  /** Successful /cgi-bin/token answers so far. */
  readonly tokenFetches: number
  /** Requests received per endpoint, whatever the answer (to assert "no API call"). */
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
  /** Makes every issued token answer 42001 (expired). */
  expireTokens(): void
  /** Makes every issued token answer 40001 (invalid credential), as when another process refetched. */
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

/** Starts the stand-in on 127.0.0.1 (port 0 = any free port). */
export async function startFakeWechatApi(options: FakeWechatApiOptions = {}): Promise<FakeWechatApi> {
  const appId = options.appId ?? FAKE_APP_ID
  const appSecret = options.appSecret ?? FAKE_APP_SECRET
  const tokens = new Map<string, 'valid' | 'expired' | 'revoked'>()
  const failures: Record<FakeEndpoint, FakeFailure[]> = { token: [], custom: [], template: [] }
  const calls: Record<FakeEndpoint, number> = { token: 0, custom: 0, template: 0 }
  const closedWindows = new Set<string>()
  const messages: FakeMessage[] = []
  const templates: FakeTemplate[] = []
  const sockets = new Set<Socket>()
  let tokenFetches = 0
  let down = false

  function tokenError(url: URL): { errcode: number; errmsg: string } | null {
    const state = tokens.get(url.searchParams.get('access_token') ?? '')
    if (state === 'valid') return null
    if (state === 'expired') return { errcode: 42001, errmsg: `access_token expired ${rid()}` }
    return { errcode: 40001, errmsg: `invalid credential, access_token is invalid or not latest ${rid()}` }
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

    if (endpoint === 'token') {
      if (url.searchParams.get('grant_type') !== 'client_credential') return json(res, { errcode: 40002, errmsg: `invalid grant_type ${rid()}` })
      if (url.searchParams.get('appid') !== appId) return json(res, { errcode: 40013, errmsg: `invalid appid ${rid()}` })
      if (url.searchParams.get('secret') !== appSecret) return json(res, { errcode: 40125, errmsg: `invalid appsecret ${rid()}` })
      const token = `FAKE_TOKEN_${randomBytes(12).toString('hex')}`
      tokens.set(token, 'valid')
      tokenFetches++
      return json(res, { access_token: token, expires_in: options.expiresIn ?? 7200 })
    }
    if (req.method !== 'POST') return json(res, { errcode: 43002, errmsg: `require POST method ${rid()}` })
    const refused = tokenError(url)
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
    const endpoint: FakeEndpoint | undefined =
      url.pathname === '/cgi-bin/token'
        ? 'token'
        : url.pathname === '/cgi-bin/message/custom/send'
          ? 'custom'
          : url.pathname === '/cgi-bin/message/template/send'
            ? 'template'
            : undefined
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
      for (const token of tokens.keys()) tokens.set(token, 'expired')
    },
    revokeTokens() {
      for (const token of tokens.keys()) tokens.set(token, 'revoked')
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
