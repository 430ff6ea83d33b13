import { readFileSync } from 'node:fs'
import { loadConfig } from '../src/config.js'
import { buildServices } from '../src/compose.js'
import { createHttpApp } from '../src/http/app.js'
import { silentLogger } from '../src/log.js'
import { systemClock } from '../src/assistant/types.js'
import { textXml, signedPath, TOKEN, load } from './load.js'
const questions = (JSON.parse(readFileSync(new URL('../test/policy/questions.dev.json', import.meta.url), 'utf8')) as Array<{ q: string }>).map((q) => q.q)
const config = loadConfig({ WECHAT_TOKEN: TOKEN, DATA_DIR: '/tmp/stage', RATE_LIMIT_PER_MINUTE: '100000000' })
const services = await buildServices(config, { clock: systemClock, logger: silentLogger(), interactiveOnly: true })
const mode = process.argv[2]
const assistant = mode === 'trivial' ? { handle: async () => ({ text: 'hello' }) } : services.assistant
const app = createHttpApp({ config, assistant, logger: silentLogger(), clock: systemClock })
const server = app.listen(0, '127.0.0.1')
await new Promise((r) => server.once('listening', r))
const url = `http://127.0.0.1:${(server.address() as any).port}`
let q = 0
console.log(mode, await load(url, 5, () => ({ path: signedPath(), body: textXml(`oQ${q % 500}`, questions[q++ % questions.length]!) })))
server.close(); await services.close()
