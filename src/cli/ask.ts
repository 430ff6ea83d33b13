import { openTerminalSession } from './terminal-session.js'

/** `npm run ask -- "你们会出售我的信息吗"`: prints the assistant's answer to one question. */
const question = process.argv.slice(2).join(' ').trim()
if (!question) {
  process.stderr.write('Usage: npm run ask -- "your question"\n')
  process.exit(2)
}
const session = await openTerminalSession()
process.stdout.write(`${(await session.say(question)) ?? ''}\n`)
await session.close()
