/**
 * Load figures for the webhook: the real service and, as a baseline in the same run, a bare Koa
 * server answering a constant string, both loaded over loopback with autocannon.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import Koa from 'koa'
import { wechatEncrypt } from '../test/support/wechat-client.js'

export const TOKEN = 'benchToken2026'
export const APP_ID = 'wxbench000000000001'
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
}

const sha1 = (parts: string[]): string => createHash('sha1').update([...parts].sort().join('')).digest('hex')
const cd = (s: string): string => `<![CDATA[${s}]]>`

let seq = 0
export function textXml(user: string, content: string): string {
  const ts = Math.floor(Date.now() / 1000)
  return `<xml><ToUserName>${cd('gh_bench')}</ToUserName><FromUserName>${cd(user)}</FromUserName><CreateTime>${ts}</CreateTime><MsgType>${cd('text')}</MsgType><Content>${cd(content)}</Content><MsgId>${Date.now()}${String(++seq).padStart(7, '0')}</MsgId></xml>`
}

export function signedPath(extra: Record<string, string> = {}): string {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = String(seq)
  return `/wechat?${new URLSearchParams({ signature: sha1([TOKEN, timestamp, nonce]), timestamp, nonce, ...extra })}`
}

export function encryptedRequest(inner: string): { path: string; body: string } {
  const enc = wechatEncrypt(inner, AES_KEY, APP_ID)
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = String(++seq)
  const q = new URLSearchParams({ signature: sha1([TOKEN, timestamp, nonce]), timestamp, nonce, encrypt_type: 'aes', msg_signature: sha1([TOKEN, timestamp, nonce, enc]) })
  return { path: `/wechat?${q}`, body: `<xml><ToUserName>${cd('gh_bench')}</ToUserName><Encrypt>${cd(enc)}</Encrypt></xml>` }
}

/** Runs autocannon for `seconds` with 50 connections; `next()` builds every request (own MsgId each). */
export async function load(
  url: string,
  seconds: number,
  next: () => { path: string; body?: string; method?: string },
  options: { rate?: number } = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: 50,
    duration: seconds,
    // A fixed overall rate shows latency when the server is not saturated; without it, as fast as possible.
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [
      {
        setupRequest: (req) => {
          const r = next()
          return { ...req, method: (r.method ?? 'POST') as 'POST', path: r.path, body: r.body, headers: { 'content-type': 'text/xml' } }
        },
      },
    ],
  })
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx }
}

/** A Koa server that answers a constant string: the ceiling for any Koa service on this machine. */
export async function startBareKoa(): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa()
  app.use((ctx) => {
    ctx.body = 'success'
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((r) => server.once('listening', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  }
}

/** Starts the real service (the `npm start` entry point) and waits for it to be ready. */
export async function startService(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; rssMb(): number; stop(): Promise<void> }> {
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    // Logs at info, as in production: their cost is part of the figures.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString()
      const m = /"event":"service\.ready","port":(\d+)/.exec(out)
      if (m) {
        child.stdout!.off('data', onData)
        child.stdout!.resume() // keep draining the log
        resolve(Number(m[1]))
      }
    }
    child.stdout!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`service exited ${code}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    rssMb: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      return m ? Number(m[1]) / 1024 : NaN
    },
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}
