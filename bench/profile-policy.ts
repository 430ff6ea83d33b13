/** Profiling aid: loads an already running service with policy questions (BENCH_URL) for BENCH_SECONDS. */
import { readFileSync } from 'node:fs'
import { load, signedPath, textXml } from './load.js'

const questions = (JSON.parse(readFileSync(new URL('../test/policy/questions.dev.json', import.meta.url), 'utf8')) as Array<{ q: string }>).map((q) => q.q)
let q = 0
const r = await load(process.env.BENCH_URL!, Number(process.env.BENCH_SECONDS ?? 10), () => ({ path: signedPath(), body: textXml(`oQ${q % 500}`, questions[q++ % questions.length]!) }))
console.log(r)
