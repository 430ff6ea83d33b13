/** Profiling aid: loads an already running service (BENCH_URL) with safe-mode (AES) policy questions. */
import { readFileSync } from 'node:fs'
import { encryptedRequest, load, textXml } from './load.js'

const questions = (JSON.parse(readFileSync(new URL('../test/policy/questions.dev.json', import.meta.url), 'utf8')) as Array<{ q: string }>).map((q) => q.q)
let q = 0
const r = await load(process.env.BENCH_URL!, Number(process.env.BENCH_SECONDS ?? 10), () => encryptedRequest(textXml(`oS${q % 500}`, questions[q++ % questions.length]!)))
console.log(r)
