/**
 * Test scaffolding for the WeChat door: config, a fake assistant, a settable clock, and request
 * builders that sign exactly as WeChat does (written here, independent of src).
 */
import { createHash } from 'node:crypto'
import { XMLParser } from 'fast-xml-parser'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type Koa from 'koa'
import request from 'supertest'
import { loadConfig, type Config } from '../../../src/config.js'
import { createHttpApp } from '../../../src/http/app.js'
import { silentLogger } from '../../../src/log.js'
import type { Incoming, Reply } from '../../../src/assistant/types.js'
import { FakeAssistant } from '../../support/fake-assistant.js'
import { TestClock } from '../../support/test-clock.js'
import { Writable } from 'node:stream'

export const TOKEN = 'jikuTestToken42'
export const APP_ID = 'wx1234567890abcdef'
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'
export const PREVIOUS_AES_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvuA'
export const ACCOUNT = 'gh_jiku_account'
export const USER = 'oUserOpenId_alice'
/** 2026-11-29T10:00:00Z */
export const NOW_SECONDS = 1_795_946_400

export function makeConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', WECHAT_TOKEN: TOKEN, ...env })
}

export const safeModeEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  WECHAT_APPID: APP_ID,
  WECHAT_ENCODING_AES_KEY: AES_KEY,
  ...extra,
})

/** The signing time of these tests as a clock: `new TestClock(NOW)`. */
export const NOW = new Date(NOW_SECONDS * 1000)


export function sha1Sorted(parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex')
}

let nonces = 0
/** A nonce no other request in this test file used: WeChat signs every message afresh. */
export function freshNonce(): string {
  return String(1_357_924_680 + ++nonces)
}

/**
 * The query string WeChat would put on a POST at `seconds`, with a fresh nonce unless one is
 * given (the door accepts a signature for one message only; `openid` defaults to USER).
 */
export function signedQuery(seconds = NOW_SECONDS, extra: Record<string, string> = {}, token = TOKEN, nonce = freshNonce()): string {
  const timestamp = String(seconds)
  const params = new URLSearchParams({ signature: sha1Sorted([token, timestamp, nonce]), timestamp, nonce, openid: USER, ...extra })
  return params.toString()
}

const cd = (s: string): string => `<![CDATA[${s}]]>`

/** A WeChat message body with the usual envelope fields plus `fields` (strings go in CDATA). */
export function messageXml(fields: Record<string, string | number>, from = USER): string {
  const all: Record<string, string | number> = { ToUserName: ACCOUNT, FromUserName: from, CreateTime: NOW_SECONDS, ...fields }
  const inner = Object.entries(all)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? v : cd(v)}</${k}>`)
    .join('')
  return `<xml>${inner}</xml>`
}

export const textXml = (content: string, msgId = '24011234567890123456', from = USER): string =>
  messageXml({ MsgType: 'text', Content: content, MsgId: msgId }, from)

/** The sender a (plaintext) body names, as WeChat also puts it in the `openid` parameter. */
export function senderOf(body: string | Buffer): string | undefined {
  const m = /<FromUserName>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/FromUserName>/.exec(body.toString())
  return m ? (m[1] ?? m[2]) : undefined
}

const replyParser = new XMLParser({ parseTagValue: false, processEntities: false })

/** Parses a reply document into its top-level fields. */
export function parseReply(xml: string): Record<string, string> {
  const doc = replyParser.parse(xml) as { xml?: Record<string, string> }
  if (!doc.xml) throw new Error(`not a WeChat reply: ${xml}`)
  return doc.xml
}

function defaultQuery(body: string | Buffer, seconds: number): string {
  const params = new URLSearchParams(signedQuery(seconds, { openid: senderOf(body) ?? '' }))
  if (params.get('openid') === '') params.delete('openid')
  return params.toString()
}

export interface Harness {
  readonly assistant: FakeAssistant
  readonly clock: TestClock
  readonly agent: ReturnType<typeof request>
  readonly config: Config
  readonly app: Koa
}

/**
 * A fresh app with a fake assistant; `post(body)` sends a plaintext POST signed afresh, with the
 * body's sender as `openid` (none when the body names none).
 */
export function harness(
  options: {
    env?: Record<string, string>
    replyBudgetMs?: number
    assistant?: FakeAssistant
    isReady?: () => boolean
    onLateReply?: (incoming: Incoming, reply: Reply) => void
  } = {},
): Harness & { post: (body: string | Buffer, query?: string) => request.Test } {
  const assistant = options.assistant ?? new FakeAssistant()
  const clock = new TestClock(NOW)
  const config = makeConfig(options.env)
  const app = createHttpApp({
    config,
    assistant,
    clock,
    logger: silentLogger(),
    replyBudgetMs: options.replyBudgetMs,
    isReady: options.isReady,
    onLateReply: options.onLateReply,
  })
  const agent = request(app.callback())
  const post = (body: string | Buffer, query = defaultQuery(body, clock.seconds)): request.Test =>
    agent.post(`/wechat?${query}`).set('Content-Type', 'text/xml').send(body)
  return { assistant, clock, agent, config, app, post }
}

/** A log destination that keeps what is written, as JSON lines or raw text. */
export function capture(): { lines: () => Array<Record<string, unknown>>; raw: () => string; stream: Writable } {
  let buffer = ''
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      buffer += chunk.toString()
      done()
    },
  })
  return {
    stream,
    raw: () => buffer,
    lines: () =>
      buffer
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

/**
 * Serves `app` on a free port for one POST whose body `send` writes its own way (chunked, slowly…),
 * and resolves with the status. The server may answer and close before the body is all written; that
 * is the point of such tests, so a reset connection is not an error.
 */
export async function rawPostStatus(app: Koa, path: string, send: (req: http.ClientRequest) => void): Promise<number> {
  const server = http.createServer(app.callback())
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  try {
    return await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Type': 'text/xml' } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)))
      send(req)
    })
  } finally {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  }
}
