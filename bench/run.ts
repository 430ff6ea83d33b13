/**
 * `npm run bench`: figures for the webhook under load, each against a bare Koa baseline measured in
 * the same run, plus in-process answer cost and the storage paths at 1k / 10k / 100k requests.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../src/config.js'
import { loadPolicyStore } from '../src/policy/store.js'
import { AES_KEY, APP_ID, TOKEN, encryptedRequest, load, signedPath, startBareKoa, startService, textXml, type LoadResult } from './load.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 60)

const questions: string[] = (JSON.parse(readFileSync(new URL('../test/policy/questions.dev.json', import.meta.url), 'utf8')) as Array<{ q: string }>).map((q) => q.q)

function inProcessMicros(cacheSize?: number): number {
  const store = loadPolicyStore(loadConfig({}), { cacheSize })
  for (const q of questions) store.answer(q)
  const rounds = 100
  const t = process.hrtime.bigint()
  for (let i = 0; i < rounds; i++) for (const q of questions) store.answer(q)
  return Number(process.hrtime.bigint() - t) / 1000 / (rounds * questions.length)
}

const row = (name: string, r: LoadResult, bare: LoadResult, target?: { ratio: number; p99: number }): string => {
  const ratio = r.rps / bare.rps
  const verdict = target ? (ratio >= target.ratio && r.p99 < target.p99 ? 'meets target' : `MISSES target (≥${target.ratio * 100}% and p99 < ${target.p99} ms)`) : ''
  return `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  ${(ratio * 100).toFixed(1).padStart(5)}% of bare  errors ${r.errors} non-2xx ${r.non2xx}  ${verdict}`
}

async function main(): Promise<void> {
  console.log(
    `Policy answer in-process: ${inProcessMicros(0).toFixed(0)} µs per question ranked, ${inProcessMicros().toFixed(1)} µs when recently asked (${questions.length} questions × 100)`,
  )

  const dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-bench-'))
  const bare = await startBareKoa()
  const service = await startService({
    WECHAT_TOKEN: TOKEN,
    WECHAT_APPID: APP_ID,
    WECHAT_ENCODING_AES_KEY: AES_KEY,
    DATA_DIR: dataDir,
    RATE_LIMIT_PER_MINUTE: '1000000',
    MAX_OPEN_REQUESTS: '1000000',
  })
  try {
    // Warm-up, not measured: both servers get their JIT compilation and caches done first.
    await load(bare.url, 3, () => ({ path: '/', method: 'GET' }))
    const bareResult = await load(bare.url, SECONDS, () => ({ path: '/', method: 'GET' }))
    console.log(row('bare Koa (constant string)', bareResult, bareResult))

    let q = 0
    const ask = (): { path: string; body: string } => ({ path: signedPath(), body: textXml(`oQ${q % 500}`, questions[q++ % questions.length]!) })
    await load(service.url, 3, ask)
    console.log(row('(a) policy questions zh/en', await load(service.url, SECONDS, ask), bareResult, { ratio: 0.25, p99: 20 }))
    // Saturated, 50 connections queue behind each other (p50 ≈ 50 / throughput); at a steady 1000/s they do not.
    const steady = await load(service.url, SECONDS, ask, { rate: 1000 })
    console.log(`${'(a) at a steady 1000 req/s'.padEnd(34)} ${steady.rps.toFixed(0).padStart(7)} req/s  p50 ${String(steady.p50).padStart(3)} ms  p99 ${String(steady.p99).padStart(3)} ms`)

    const USERS = 5000
    const steps = ['Delete my data', 'John Smith', 'john@example.org', 'skip', 'yes']
    let t = 0
    const turn = (): { path: string; body: string } => {
      const i = t++
      return { path: signedPath(), body: textXml(`oC${i % USERS}`, steps[Math.floor(i / USERS) % steps.length]!) }
    }
    await load(service.url, 2, turn)
    console.log(row('(b) rights-request conversation', await load(service.url, SECONDS, turn), bareResult, { ratio: 0.1, p99: 50 }))

    let s = 0
    const safe = (): { path: string; body: string } => encryptedRequest(textXml(`oS${s % 500}`, questions[s++ % questions.length]!))
    await load(service.url, 2, safe)
    console.log(row('(c) safe-mode (AES) questions', await load(service.url, SECONDS, safe), bareResult, { ratio: 0.25, p99: 20 }))

    // The soak repeats conversations that end in "cancel", so nothing it does adds stored data:
    // what the RSS shows is the service's own memory, which must stay flat.
    const cancelSteps = ['Delete my data', 'John Smith', 'john@example.org', 'skip', 'cancel']
    let c = 0
    const cancelled = (): { path: string; body: string } => {
      const i = c++
      return { path: signedPath(), body: textXml(`oK${i % USERS}`, cancelSteps[Math.floor(i / USERS) % cancelSteps.length]!) }
    }
    let m = 0
    const mixed = (): { path: string; body: string } => (m++ % 3 === 0 ? cancelled() : m % 3 === 1 ? ask() : safe())
    await load(service.url, 5, mixed)
    const samples = [service.rssMb()]
    const sampler = setInterval(() => samples.push(service.rssMb()), 10_000)
    const soak = await load(service.url, SOAK_SECONDS, mixed)
    clearInterval(sampler)
    samples.push(service.rssMb())
    console.log(row(`mixed soak ${SOAK_SECONDS} s`, soak, bareResult))
    const [first = 0, last = 0] = [samples[0], samples[samples.length - 1]]
    console.log(`Service RSS during the soak (every 10 s): ${samples.map((x) => x.toFixed(0)).join(' → ')} MB (${(((last - first) / first) * 100).toFixed(1)}% start to end)`)
  } finally {
    await service.stop()
    await bare.close()
    rmSync(dataDir, { recursive: true, force: true })
  }

  console.log('\nStorage paths (bench/requests.ts):')
  spawnSync(process.execPath, ['--import', 'tsx', 'bench/requests.ts'], { stdio: 'inherit' })
}

await main()
