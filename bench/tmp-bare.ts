import { readFileSync } from 'node:fs'
import { textXml, signedPath, load, startBareKoa, encryptedRequest } from './load.js'
const questions = (JSON.parse(readFileSync(new URL('../test/policy/questions.dev.json', import.meta.url), 'utf8')) as Array<{ q: string }>).map((q) => q.q)
const bare = await startBareKoa()
let q = 0
console.log('bare GET', await load(bare.url, 4, () => ({ path: '/', method: 'GET' })))
console.log('bare POST ask', await load(bare.url, 4, () => ({ path: signedPath(), body: textXml(`oQ${q % 500}`, questions[q++ % questions.length]!) })))
console.log('bare POST aes', await load(bare.url, 4, () => encryptedRequest(textXml(`oQ${q % 500}`, questions[q++ % questions.length]!))))
await bare.close()
