/**
 * The PostgreSQL rows of `npm run bench` (alone: `npx tsx bench/postgres.ts`; skipped in the full run
 * with BENCH_POSTGRES=0). On a throwaway PostgreSQL cluster of its own, restarted with production
 * durability (fsync, synchronous_commit and full_page_writes on), it measures
 *   1. filing latency: people filing one after another, each turn sent only after the last was
 *      answered, so what is timed is the turn itself, not a queue — the file-backed service and a
 *      PostgreSQL replica, in the same run;
 *   2. webhook throughput with autocannon (50 connections): policy questions and rights-request
 *      conversations against the file-backed service, one PostgreSQL replica, and two replicas on
 *      one database sharing the connections.
 * Every process, the cluster and every temporary directory are removed at the end, failed or not.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import { startEmbeddedPostgres } from '../test/support/embedded-postgres.js'
import { requestsOnDisk } from '../test/support/requests-on-disk.js'
import { TOKEN, signedPath, startService, textXml, type RequestBuilder, type ServerProcess } from './load.js'
import { conversations, FILING_STEPS, questions } from './scenarios.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
/** People filing, one after another, per round. */
const FILERS = Number(process.env.BENCH_FILERS ?? 200)
const CONNECTIONS = 50
const POOL_MAX = '10'
const CLOCK_TICKS_PER_SECOND = 100

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

/** Things to undo, last first; run once, whatever failed. */
class Cleanup {
  readonly #undo: Array<() => Promise<void> | void> = []
  add(undo: () => Promise<void> | void): void {
    this.#undo.push(undo)
  }
  /** A Cleanup run when this one runs, unless it was run before (an interruption then undoes it too). */
  scope(): Cleanup {
    const inner = new Cleanup()
    this.add(() => inner.run())
    return inner
  }
  async run(): Promise<void> {
    while (this.#undo.length > 0) {
      try {
        await this.#undo.pop()!()
      } catch (e) {
        console.error(`cleanup: ${String(e)}`)
      }
    }
  }
}

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null

/** SIGTERM, then SIGKILL after 10 s; returns at once for a process already gone. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!running(child)) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

// ---------------------------------------------------------------------------------------------
// The cluster

interface Cluster {
  readonly url: string
  readonly version: string
  /** CPU seconds of the postmaster and every backend so far (exited backends included). */
  cpuSeconds(): number
  /** Severity and message of every WARNING/ERROR/FATAL/PANIC line in the server log so far. */
  readonly problems: Map<string, number>
  /** A new empty database, with `setting` (e.g. "synchronous_commit = off") for every session in it; its URL. */
  createDatabase(name: string, setting?: string): Promise<string>
}

/** utime, stime, cutime, cstime and ppid of a process (from /proc/<pid>/stat), or undefined once it is gone. */
function procStat(pid: number | string): { ppid: number; own: number; children: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(f[1]), own: (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_SECOND, children: (Number(f[13]) + Number(f[14])) / CLOCK_TICKS_PER_SECOND }
  } catch {
    return undefined
  }
}

/** CPU of `root` and its live children, plus what its exited children used (reaped into its cutime/cstime). */
function treeCpuSeconds(root: number): number {
  const r = procStat(root)
  let total = r ? r.own + r.children : 0
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    const s = procStat(pid)
    if (s && s.ppid === root) total += s.own
  }
  return total
}

/**
 * The test cluster (test/support/embedded-postgres.ts) runs with durability off, which would make
 * PostgreSQL's commits look cheaper than the file store's fdatasync. It is stopped and started again
 * on the same data directory and port with PostgreSQL's defaults for fsync, synchronous_commit and
 * full_page_writes, as a production server runs.
 */
async function startDurableCluster(cleanup: Cleanup): Promise<Cluster> {
  const embedded = await startEmbeddedPostgres()
  cleanup.add(() => embedded.stop())
  const admin = new pg.Client({ connectionString: embedded.url })
  await admin.connect()
  const dataDir = String((await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory)
  await admin.end()
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  const bin = readlinkSync(`/proc/${postmaster}/exe`)
  const owner = statSync(dataDir)
  await embedded.pause()

  const problems = new Map<string, number>()
  const server = await new Promise<ChildProcess>((resolve, reject) => {
    const args = ['-D', dataDir, '-p', String(embedded.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200']
    const asRoot = process.getuid?.() === 0
    const child = spawn(bin, args, { ...(asRoot ? { uid: owner.uid, gid: owner.gid } : {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] })
    let early = ''
    let ready = false
    let partial = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      if (!ready) {
        early += chunk.toString()
        if (early.includes('database system is ready to accept connections')) {
          ready = true
          resolve(child)
        }
      }
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        // Only the severity and the message's first words: DETAIL lines (which may quote values) are not kept.
        const m = /\b(WARNING|ERROR|FATAL|PANIC):\s+(.*)$/.exec(line)
        if (m) problems.set(`${m[1]}: ${m[2]!.slice(0, 120)}`, (problems.get(`${m[1]}: ${m[2]!.slice(0, 120)}`) ?? 0) + 1)
      }
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (!ready) reject(new Error(`postgres exited (${code}) before it was ready: ${early}`))
    })
  })
  // Fast shutdown before the embedded cluster's stop deletes the data directory (added later, runs first).
  cleanup.add(() => stopChild(server, 'SIGINT'))

  const base = new URL(embedded.url)
  const client = new pg.Client({ connectionString: embedded.url })
  await client.connect()
  cleanup.add(() => client.end())
  const settings = (await client.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')`)).rows
  if (settings.some((s) => s.setting !== 'on')) throw new Error(`PostgreSQL is not durable: ${JSON.stringify(settings)}`)
  const version = String((await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version)
  return {
    url: embedded.url,
    version,
    problems,
    cpuSeconds: () => treeCpuSeconds(server.pid!),
    async createDatabase(name, setting) {
      await client.query(`CREATE DATABASE ${name}`)
      if (setting) await client.query(`ALTER DATABASE ${name} SET ${setting}`)
      const url = new URL(base)
      url.pathname = `/${name}`
      return url.toString()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Service processes

/** Warnings and errors the service processes logged: by event and error code, never their text. */
const serviceProblems = new Map<string, number>()
/** Service processes that exited while they should have been serving. */
const unexpectedExits: string[] = []
/** Service processes being stopped on purpose. */
const stopping = new Set<ServerProcess>()

/** Tallies what `server` logs at warn and above, and notes if it exits on its own. */
function watch(name: string, server: ServerProcess): void {
  let partial = ''
  server.child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (!line.startsWith('{')) continue
      let entry: { level?: number; event?: string; err?: { type?: string; code?: string } }
      try {
        entry = JSON.parse(line) as typeof entry
      } catch {
        continue
      }
      // What a process logs once it is being stopped (the leader stepping down, …) is not load.
      if ((entry.level ?? 0) < 40 || stopping.has(server)) continue
      const key = `${entry.level === 40 ? 'warn' : 'error'} ${entry.event ?? '(no event)'}${entry.err ? ` ${entry.err.type ?? ''}${entry.err.code ? ` ${entry.err.code}` : ''}` : ''} (${name})`
      serviceProblems.set(key, (serviceProblems.get(key) ?? 0) + 1)
    }
  })
  server.child.on('exit', (code, signal) => {
    if (!stopping.has(server)) unexpectedExits.push(`${name} exited (${code ?? signal})`)
  })
}

/** Service processes started together; all of them are stopped by `cleanup`, even if one fails to start. */
async function startServices(cleanup: Cleanup, specs: Array<{ name: string; env: Record<string, string> }>): Promise<Array<ServerProcess & { dataDir: string }>> {
  const started = await Promise.allSettled(
    specs.map(async ({ name, env }) => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'jiku-bench-pg-'))
      cleanup.add(() => rmSync(dataDir, { recursive: true, force: true }))
      const server = await startService({
        WECHAT_TOKEN: TOKEN,
        DATA_DIR: dataDir,
        // The file-backed service must not pick a DATABASE_URL up from the environment.
        DATABASE_URL: '',
        RATE_LIMIT_PER_MINUTE: '1000000',
        MAX_OPEN_REQUESTS: '1000000',
        ...env,
      })
      cleanup.add(() => {
        stopping.add(server)
        return stopChild(server.child)
      })
      watch(name, server)
      return Object.assign(server, { dataDir })
    }),
  )
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) throw failed.reason
  return started.map((s) => (s as PromiseFulfilledResult<ServerProcess & { dataDir: string }>).value)
}

const replicaEnv = (url: string): Record<string, string> => ({ DATABASE_URL: url, DATABASE_POOL_MAX: POOL_MAX })

// ---------------------------------------------------------------------------------------------
// 1. Filing latency

interface Filing {
  /** Each "yes" turn, ms. */
  readonly filing: number[]
  /** Every turn of every conversation, ms. */
  readonly turns: number[]
  filed: number
  attempted: number
  non2xx: number
}

function post(agent: http.Agent, base: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, path: signedPath(), method: 'POST', agent, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** `people` conversations that end in "yes", one turn at a time over one connection; times every turn. */
async function fileOneByOne(url: string, prefix: string, people: number, into: Filing): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const base = new URL(url)
  try {
    for (let p = 0; p < people; p++) {
      for (const [i, step] of FILING_STEPS.entries()) {
        const started = performance.now()
        const reply = await post(agent, base, textXml(`${prefix}${p}`, step))
        const ms = performance.now() - started
        into.turns.push(ms)
        if (reply.status < 200 || reply.status >= 300) into.non2xx++
        if (i === FILING_STEPS.length - 1) {
          into.filing.push(ms)
          into.attempted++
          // The confirmation carries the request number: "Submitted! Your request number is PR-…".
          if (reply.text.includes('Submitted!')) into.filed++
        }
      }
    }
  } finally {
    agent.destroy()
  }
}

function latencies(ms: readonly number[]): string {
  const s = [...ms].sort((a, b) => a - b)
  return `p50 ${percentile(s, 50).toFixed(1).padStart(5)} ms  p99 ${percentile(s, 99).toFixed(1).padStart(5)} ms  max ${(s[s.length - 1] ?? NaN).toFixed(1).padStart(5)} ms`
}

async function filingLatency(cleanup: Cleanup, cluster: Cluster): Promise<void> {
  const local = cleanup.scope()
  try {
    const url = await cluster.createDatabase('bench_filing')
    // For reading the figure only: the same, with commits not waiting for their WAL flush.
    const asyncUrl = await cluster.createDatabase('bench_filing_async', 'synchronous_commit = off')
    const [file, replica, asyncReplica] = await startServices(local, [
      { name: 'file-backed', env: {} },
      { name: 'filing replica', env: replicaEnv(url) },
      { name: 'filing replica, synchronous_commit off', env: replicaEnv(asyncUrl) },
    ])
    const none = (): Filing => ({ filing: [], turns: [], filed: 0, attempted: 0, non2xx: 0 })
    const targets = [
      { name: 'file-backed (DATA_DIR)', server: file!, r: none() },
      { name: 'PostgreSQL, 1 replica', server: replica!, r: none() },
      { name: '  same, synchronous_commit off', server: asyncReplica!, r: none() },
    ]
    // Warm-up, not measured: JIT, caches and the first writes of each store.
    for (const t of targets) await fileOneByOne(t.server.url, 'oFw', 20, none())
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) await fileOneByOne(t.server.url, `oF${round}_`, FILERS, t.r)
    }
    console.log(
      `Filing a request, one person at a time (closed loop: each turn sent when the last was answered; ${FILERS} people × ${ROUNDS} rounds, 5 turns each, ` +
        'the last, "yes", filing the request). The synchronous_commit=off row, whose last commits a crash can lose, shows how much of the time is waiting for the disk:',
    )
    const fileP50 = median(targets[0]!.r.filing)
    for (const { name, r } of targets) {
      const vsFile = r === targets[0]!.r ? '' : `  (p50 ×${(median(r.filing) / fileP50).toFixed(2)} of file)`
      console.log(
        `  ${name.padEnd(32)} "yes" turn ${latencies(r.filing)}   all turns ${latencies(r.turns)}   filed ${r.filed}/${r.attempted}  non-2xx ${r.non2xx}${vsFile}`,
      )
    }
  } finally {
    await local.run()
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Throughput with 1 and 2 replicas

interface Target {
  readonly name: string
  readonly servers: readonly ServerProcess[]
  /** PostgreSQL's CPU counts for the replicas only. */
  readonly postgres: boolean
  readonly next: RequestBuilder
  /** Whether the warm-up has done its job; without it, the warm-up's first load is enough. */
  readonly warm?: () => boolean
}

interface Loaded {
  rps: number
  p50: number
  p99: number
  /** The service processes' CPU per request (all replicas). */
  cpu: number
  /** PostgreSQL's CPU per request (all its processes), for the replicas. */
  pgCpu: number
  errors: number
  non2xx: number
  statuses: Map<string, number>
  errorKinds: Map<string, number>
}

async function loadTarget(t: Target, seconds: number, cluster: Cluster): Promise<Loaded> {
  const cpu = () => t.servers.reduce((s, x) => s + x.cpuSeconds(), 0)
  const [cpuBefore, pgBefore] = [cpu(), cluster.cpuSeconds()]
  // autocannon takes several URLs and deals the connections out among them in turn: 25 each for two.
  const instance = autocannon({
    url: t.servers.map((s) => s.url) as unknown as string,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => {
          const r = t.next()
          return { ...req, method: (r.method ?? 'POST') as 'POST', path: r.path, body: r.body, headers: { 'content-type': 'text/xml' } }
        },
      },
    ],
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>
  const errorKinds = new Map<string, number>()
  instance.on('reqError', (e: { code?: string; message?: string }) => {
    const k = e.code ?? e.message ?? 'unknown'
    errorKinds.set(k, (errorKinds.get(k) ?? 0) + 1)
  })
  const result = await instance
  const [cpuSpent, pgSpent] = [cpu() - cpuBefore, cluster.cpuSeconds() - pgBefore]
  const served = result.requests.average * seconds
  const statuses = new Map<string, number>()
  for (const [code, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) if (!code.startsWith('2')) statuses.set(code, count)
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpu: served > 0 ? (cpuSpent * 1e6) / served : NaN,
    pgCpu: served > 0 ? (pgSpent * 1e6) / served : NaN,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses,
    errorKinds,
  }
}

const merge = (into: Map<string, number>, from: Map<string, number>): void => {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v)
}

/** Warms every target up, then `ROUNDS` rounds loading each in turn; medians per target, and each figure's share of the file-backed one per round. */
async function throughput(title: string, targets: readonly Target[], cluster: Cluster, warmSeconds: number): Promise<void> {
  for (const t of targets) {
    const started = Date.now()
    await loadTarget(t, warmSeconds, cluster)
    while (t.warm && !t.warm() && Date.now() - started < 120_000) await loadTarget(t, 2, cluster)
  }
  const rounds: Loaded[][] = []
  for (let i = 0; i < ROUNDS; i++) {
    const round: Loaded[] = []
    for (const t of targets) round.push(await loadTarget(t, SECONDS, cluster))
    rounds.push(round)
  }
  console.log(title)
  targets.forEach((t, j) => {
    const of = rounds.map((r) => r[j]!)
    const statuses = new Map<string, number>()
    const errorKinds = new Map<string, number>()
    for (const r of of) {
      merge(statuses, r.statuses)
      merge(errorKinds, r.errorKinds)
    }
    const share = j === 0 ? ' '.repeat(13) : `${(median(rounds.map((r) => r[j]!.rps / r[0]!.rps)) * 100).toFixed(0).padStart(4)}% of file`
    const pg = t.postgres ? ` + PostgreSQL ${median(of.map((r) => r.pgCpu)).toFixed(0).padStart(4)}` : ' '.repeat(18)
    const detail = [...statuses].map(([k, v]) => `HTTP ${k} ×${v}`).concat([...errorKinds].map(([k, v]) => `${k} ×${v}`))
    console.log(
      `  ${t.name.padEnd(32)} ${median(of.map((r) => r.rps)).toFixed(0).padStart(6)} req/s  p50 ${String(median(of.map((r) => r.p50))).padStart(3)} ms  p99 ${String(median(of.map((r) => r.p99))).padStart(4)} ms  ` +
        `${share}  CPU ${median(of.map((r) => r.cpu)).toFixed(0).padStart(4)}${pg} µs/req  ` +
        `errors ${of.reduce((n, r) => n + r.errors, 0)} non-2xx ${of.reduce((n, r) => n + r.non2xx, 0)}${detail.length > 0 ? ` (${detail.join(', ')})` : ''}`,
    )
  })
}

/** Counts the messages and the "yes" turns a builder hands out. */
function counting(next: () => { path: string; body: string }): { next: RequestBuilder; sent: () => number; confirmations: () => number } {
  let [messages, yes] = [0, 0]
  return {
    next: () => {
      const r = next()
      messages++
      if (r.body.includes('<![CDATA[yes]]>')) yes++
      return r
    },
    sent: () => messages,
    confirmations: () => yes,
  }
}

async function filedInDatabase(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM requests WHERE kind = 'rights'`)).rows[0]!.n)
  } finally {
    await client.end()
  }
}

async function scenario(cleanup: Cleanup, cluster: Cluster, key: string, run: (targets: { file: ServerProcess & { dataDir: string }; one: ServerProcess; two: ServerProcess[]; oneUrl: string; twoUrl: string }) => Promise<void>): Promise<void> {
  const local = cleanup.scope()
  try {
    // A fresh database (and DATA_DIR) per scenario, so no figure depends on what ran before it.
    const [oneUrl, twoUrl] = [await cluster.createDatabase(`bench_${key}_one`), await cluster.createDatabase(`bench_${key}_two`)]
    const [file, one, a, b] = await startServices(local, [
      { name: `${key} file-backed`, env: {} },
      { name: `${key} 1 replica`, env: replicaEnv(oneUrl) },
      { name: `${key} replica A of 2`, env: replicaEnv(twoUrl) },
      { name: `${key} replica B of 2`, env: replicaEnv(twoUrl) },
    ])
    await run({ file: file!, one: one!, two: [a!, b!], oneUrl, twoUrl })
  } finally {
    await local.run()
  }
}

// ---------------------------------------------------------------------------------------------

/** Prints the PostgreSQL rows. */
export async function postgresBench(): Promise<void> {
  const cleanup = new Cleanup()
  // Interrupted (Ctrl-C, kill): still stop every process and delete every temporary directory.
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true
    void cleanup.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const cluster = await startDurableCluster(cleanup)
    console.log(
      `PostgreSQL ${cluster.version} (embedded, its data on this machine's disk, fsync, synchronous_commit and full_page_writes on), ` +
        `DATABASE_POOL_MAX=${POOL_MAX} per replica. ${os.availableParallelism()} vCPUs shared by the load generator, the service processes and PostgreSQL: ` +
        'a second replica adds no CPU, so what two replicas show is the cost of sharing one database, not scaling out.',
    )
    await filingLatency(cleanup, cluster)

    console.log(
      `Webhook on PostgreSQL: ${CONNECTIONS} connections (split evenly between the replicas), ${ROUNDS} rounds of ${SECONDS} s per scenario; ` +
        'each round loads the file-backed service, 1 replica, then 2 replicas on one database; medians shown. ' +
        'CPU: the service processes (all replicas), plus PostgreSQL (all its processes) for the replicas.',
    )
    await scenario(cleanup, cluster, 'a', async ({ file, one, two }) => {
      let q = 0
      const ask = (): { path: string; body: string } => ({ path: signedPath(), body: textXml(`oQ${q % 500}`, questions[q++ % questions.length]!) })
      await throughput(
        '(a) policy questions zh/en',
        [
          { name: 'file-backed (baseline)', servers: [file], postgres: false, next: ask },
          { name: 'PostgreSQL, 1 replica', servers: [one], postgres: true, next: ask },
          { name: 'PostgreSQL, 2 replicas', servers: two, postgres: true, next: ask },
        ],
        cluster,
        3,
      )
    })
    await scenario(cleanup, cluster, 'b', async ({ file, one, two, oneUrl, twoUrl }) => {
      // Each target has people of its own: a conversation lives in one store. 500 people rather than
      // run.ts's 5000: at a few hundred messages a second, 5000 would still be asking their opening
      // questions when the measuring starts.
      const USERS = 500
      const turns = [0, 1, 2].map(() => counting(conversations('oC', USERS, FILING_STEPS)))
      // Warmed up until every person is past their opening questions: what is measured is conversation turns.
      const warm = (i: number) => () => turns[i]!.sent() >= USERS * FILING_STEPS.length
      await throughput(
        `(b) rights-request conversation (${USERS} people)`,
        [
          { name: 'file-backed (baseline)', servers: [file], postgres: false, next: turns[0]!.next, warm: warm(0) },
          { name: 'PostgreSQL, 1 replica', servers: [one], postgres: true, next: turns[1]!.next, warm: warm(1) },
          { name: 'PostgreSQL, 2 replicas', servers: two, postgres: true, next: turns[2]!.next, warm: warm(2) },
        ],
        cluster,
        3,
      )
      const filed = [requestsOnDisk(file.dataDir).length, await filedInDatabase(oneUrl), await filedInDatabase(twoUrl)]
      console.log(
        `  requests filed (warm-up included) / "yes" turns sent: file-backed ${filed[0]}/${turns[0]!.confirmations()}, ` +
          `1 replica ${filed[1]}/${turns[1]!.confirmations()}, 2 replicas ${filed[2]}/${turns[2]!.confirmations()}`,
      )
    })

    const problems = [...serviceProblems].map(([k, v]) => `${k} ×${v}`).concat([...cluster.problems].map(([k, v]) => `PostgreSQL ${k} ×${v}`), unexpectedExits)
    console.log(problems.length === 0 ? 'Logged warnings or errors: none.' : `Logged warnings and errors:\n  ${problems.join('\n  ')}`)
  } catch (e) {
    // Interrupted: what fails is only the load meeting stopped processes; the signal handler exits.
    if (interrupted) await new Promise(() => {})
    throw e
  } finally {
    await cleanup.run()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

if (path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) await postgresBench()
