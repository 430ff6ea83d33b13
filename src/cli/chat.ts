import { createInterface } from 'node:readline/promises'
import { openTerminalSession, PRACTICE_NOTICE } from './terminal-session.js'

/** `npm run chat`: talk to the assistant in the terminal, as a WeChat user would. Ctrl-D or "exit" ends. */
const session = await openTerminalSession()
const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY })
const interactive = Boolean(process.stdin.isTTY)
process.stderr.write(`${PRACTICE_NOTICE}\n\n`)
if (interactive) process.stdout.write(`${(await session.say('help')) ?? ''}\n\n`)
rl.setPrompt('> ')
if (interactive) rl.prompt()
for await (const line of rl) {
  const text = line.trim()
  if (/^(exit|quit|退出)$/i.test(text)) break
  if (text) {
    const answer = await session.say(text)
    if (answer) process.stdout.write(`${answer}\n\n`)
  }
  if (interactive) rl.prompt()
}
rl.close()
await session.close()
