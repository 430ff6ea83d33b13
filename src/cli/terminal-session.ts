import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError, loadConfig } from '../config.js'
import { silentLogger } from '../log.js'
import { type Incoming } from '../assistant/types.js'
import { systemClock } from '../clock.js'
import { buildServices, type Services } from '../compose.js'

export interface TerminalSession {
  readonly services: Services
  say(text: string): Promise<string | null>
  /** Closes the services and removes the session's own state. */
  close(): Promise<void>
}

/**
 * The assistant as the terminal doors see it: the service's config and wiring, logs silenced, and
 * state of its own in a fresh temporary directory, removed at the end. The terminal never opens the
 * service's DATA_DIR, so it can run beside a live service without touching its requests; what is
 * filed in the terminal is practice and is not kept.
 */
export async function openTerminalSession(): Promise<TerminalSession> {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'jiku-terminal-'))
  let services: Services
  try {
    services = await buildServices({ ...loadConfig(), dataDir: stateDir }, { clock: systemClock, logger: silentLogger(), interactiveOnly: true })
  } catch (err) {
    await rm(stateDir, { recursive: true, force: true })
    process.stderr.write(`${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  }
  const say = async (text: string): Promise<string | null> => {
    const incoming: Incoming = { channel: 'cli', userId: 'terminal', kind: 'text', text, receivedAt: systemClock.now() }
    const reply = await services.assistant.handle(incoming)
    return reply?.text ?? null
  }
  return {
    services,
    say,
    async close() {
      await services.close()
      await rm(stateDir, { recursive: true, force: true })
    },
  }
}

/** Said when `npm run chat` starts. */
export const PRACTICE_NOTICE =
  '（练习模式：本窗口的申请只保存在临时目录，退出即清除，不会进入正在运行的服务，工作人员也看不到。）\n' +
  '(Practice mode: requests filed here live in a temporary directory removed on exit; they never reach the running service or its staff.)'
