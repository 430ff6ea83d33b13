import { ConfigError, loadConfig } from '../config.js'
import { silentLogger } from '../log.js'
import { systemClock, type Incoming } from '../assistant/types.js'
import { buildServices, type Services } from '../compose.js'

/** The assistant as the terminal doors see it: same config and services as the service, logs silenced. */
export async function openTerminalSession(): Promise<{ services: Services; say(text: string): Promise<string | null> }> {
  let services: Services
  try {
    services = await buildServices(loadConfig(), { clock: systemClock, logger: silentLogger(), interactiveOnly: true })
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  }
  const say = async (text: string): Promise<string | null> => {
    const incoming: Incoming = { channel: 'cli', userId: 'terminal', kind: 'text', text, receivedAt: systemClock.now() }
    const reply = await services.assistant.handle(incoming)
    return reply?.text ?? null
  }
  return { services, say }
}
