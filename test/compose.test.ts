import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../src/clock.js'
import { buildServices } from '../src/compose.js'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/log.js'

describe('wiring', () => {
  it('a Wechaty puppet that cannot start leaves the rest of the service working, and says why', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'jiku-compose-'))
    const lines: string[] = []
    const logger = createLogger({ destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) })
    const services = await buildServices(loadConfig({ DATA_DIR: dataDir, WECHATY_PUPPET: 'wechaty-puppet-that-does-not-exist' }), { clock: systemClock, logger })
    try {
      await services.start()
      expect(lines.join('')).toMatch(/"event":"wechaty.start_failed"/)
      const reply = await services.assistant.handle({ channel: 'wechat-oa', userId: 'oUser', kind: 'text', text: 'Do you sell my data?', receivedAt: new Date() })
      expect(reply?.text).toContain('do not sell or rent')
    } finally {
      await services.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 30_000)
})
