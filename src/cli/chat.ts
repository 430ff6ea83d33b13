import { createInterface } from 'node:readline/promises'
import { openTerminalSession } from './terminal-session.js'

/** `npm run chat`: talk to the assistant in the terminal, as a WeChat user would. Ctrl-D or "exit" ends. */
const { services, say } = await openTerminalSession()
const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY })
const interactive = Boolean(process.stdin.isTTY)
if (interactive) process.stdout.write(`${(await say('help')) ?? ''}\n\n`)
rl.setPrompt('> ')
if (interactive) rl.prompt()
for await (const line of rl) {
  const text = line.trim()
  if (/^(exit|quit|退出)$/i.test(text)) break
  if (text) {
    const answer = await say(text)
    if (answer) process.stdout.write(`${answer}\n\n`)
  }
  if (interactive) rl.prompt()
}
rl.close()
await services.close()
