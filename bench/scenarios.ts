/** The traffic the webhook benchmarks send: policy questions and rights-request conversations. */
import { readFileSync } from 'node:fs'
import { signedPath, textXml } from './load.js'

export const questions: string[] = (JSON.parse(readFileSync(new URL('../test/policy/questions.dev.json', import.meta.url), 'utf8')) as Array<{ q: string }>).map((q) => q.q)

/** The turns of a rights request, from asking to confirming ("yes" files it). */
export const FILING_STEPS = ['Delete my data', 'John Smith', 'john@example.org', 'skip', 'yes'] as const

/**
 * Messages from `users` people, taken in turn, each asking `u % steps` policy questions before
 * running `steps` over and over. The staggered start keeps every step in the mix at all times, as
 * in real traffic, instead of 5000 filings arriving back to back.
 */
export function conversations(prefix: string, users: number, steps: readonly string[]): () => { path: string; body: string } {
  const sent = new Int32Array(users)
  let i = 0
  return () => {
    const u = i++ % users
    const k = sent[u]!++ - (u % steps.length)
    const text = k < 0 ? questions[(u + k + questions.length) % questions.length]! : steps[k % steps.length]!
    return { path: signedPath(), body: textXml(`${prefix}${u}`, text) }
  }
}
