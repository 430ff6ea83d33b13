/** Profiling aid: loads an already running service (BENCH_URL) with rights-request conversation turns. */
import { load, signedPath, textXml } from './load.js'

const USERS = 5000
const steps = (process.env.BENCH_STEPS ?? 'Delete my data|John Smith|john@example.org|skip|yes').split('|')
let t = 0
const r = await load(process.env.BENCH_URL!, Number(process.env.BENCH_SECONDS ?? 10), () => {
  const i = t++
  return { path: signedPath(), body: textXml(`oC${i % USERS}`, steps[Math.floor(i / USERS) % steps.length]!) }
})
console.log(r)
