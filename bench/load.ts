/**
 * Load figures for the webhook: the real service and, as a baseline in the same run, a bare Koa
 * server answering a constant string, both loaded over loopback with autocannon.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import autocannon from 'autocannon'
import { freshNonce, wechatEncrypt } from '../test/support/wechat-client.js'

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

/** A signed path with a nonce of its own: the service accepts a signature for one message only. */
export function signedPath(extra: Record<string, string> = {}): string {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = freshNonce()
  return `/wechat?${new URLSearchParams({ signature: sha1([TOKEN, timestamp, nonce]), timestamp, nonce, ...extra })}`
}

export function encryptedRequest(inner: string): { path: string; body: string } {
  const enc = wechatEncrypt(inner, AES_KEY, APP_ID)
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = freshNonce()
  const q = new URLSearchParams({ signature: sha1([TOKEN, timestamp, nonce]), timestamp, nonce, encrypt_type: 'aes', msg_signature: sha1([TOKEN, timestamp, nonce, enc]) })
  return { path: `/wechat?${q}`, body: `<xml><ToUserName>${cd('gh_bench')}</ToUserName><Encrypt>${cd(enc)}</Encrypt></xml>` }
}

/** Builds one request; every call gives a new message (its own MsgId). */
export type RequestBuilder = () => { path: string; body?: string; method?: string }

/**
 * Runs autocannon for `seconds` with 50 connections, as fast as the server answers; `next()` builds
 * every request. (autocannon's rate limit sends each second's quota as a burst, so latency at a
 * steady pace comes from paced.ts instead.)
 */
export async function load(url: string, seconds: number, next: RequestBuilder): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: 50,
    duration: seconds,
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

/** A server process under load: its URL, and its CPU and memory as the kernel counts them. */
export interface ServerProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Resident memory in MB. */
  rssMb(): number
  /** User + system CPU seconds used so far (all threads). */
  cpuSeconds(): number
  /** Live heap (MB) left after each full (mark-compact) GC so far, from V8's --trace-gc lines. */
  readonly liveHeapAfterFullGcMb: readonly number[]
  stop(): Promise<void>
}

const CLOCK_TICKS_PER_SECOND = 100

/**
 * Starts `node --import tsx <script>` with `env` and waits for its `service.ready` log line.
 * Both servers the bench compares run this way, each in its own process, so neither shares a
 * thread with the load generator.
 */
async function startProcess(script: string, env: Record<string, string>): Promise<ServerProcess> {
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean)
  // --trace-gc prints one line per collection: what survives a full GC is the memory actually held.
  const child = spawn(process.execPath, ['--trace-gc', ...nodeArgs, '--import', 'tsx', script], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const liveHeapAfterFullGcMb: number[] = []
  let port = 0
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const gc = /Mark-Compact (?:\(reduce\) )?[\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line)
      if (gc) liveHeapAfterFullGcMb.push(Number(gc[1]))
      const m = port === 0 ? /"event":"service\.ready","port":(\d+)/.exec(line) : null
      if (m) {
        port = Number(m[1])
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)))
  })
  await ready
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    liveHeapAfterFullGcMb,
    rssMb: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      return m ? Number(m[1]) / 1024 : NaN
    },
    cpuSeconds: () => {
      // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), after the parenthesised command name.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
    },
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}

/** A Koa server that answers a constant string, in its own process: the ceiling for any Koa service here. */
export function startBareKoa(busyMicros = 0): Promise<ServerProcess> {
  return startProcess('bench/bare-koa.ts', { BUSY_MICROS: String(busyMicros) })
}

/** Starts the real service (the `npm start` entry point) and waits for it to be ready. */
export function startService(env: Record<string, string>): Promise<ServerProcess> {
  // Logs at info, as in production: their cost is part of the figures.
  return startProcess('src/main.ts', { LOG_LEVEL: 'info', ...env })
}

/** A load result plus the server's CPU time per request over the same window. */
export interface MeasuredLoad extends LoadResult {
  readonly cpuMicrosPerRequest: number
}

/** `load` against `server`, also reading how much CPU the server spent per request. */
export async function measure(server: ServerProcess, seconds: number, next: RequestBuilder): Promise<MeasuredLoad> {
  const before = server.cpuSeconds()
  const result = await load(server.url, seconds, next)
  const cpu = server.cpuSeconds() - before
  return { ...result, cpuMicrosPerRequest: result.rps > 0 ? (cpu * 1e6) / (result.rps * seconds) : NaN }
}
