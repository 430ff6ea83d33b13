import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, DEV_WECHAT_TOKEN, PROJECT_ROOT, loadConfig } from '../src/config.js'

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'

describe('config', () => {
  it('works with no variables at all, in local mode with the development token', () => {
    const c = loadConfig({})
    expect(c.port).toBe(3000)
    expect(c.wechat.token).toBe(DEV_WECHAT_TOKEN)
    expect(c.wechat.devToken).toBe(true)
    expect(c.wechat.apiBase).toBe('https://api.weixin.qq.com')
    expect(c.dataDir).toBe(path.join(PROJECT_ROOT, 'state'))
    expect(c.policyFile).toBe(path.join(PROJECT_ROOT, 'data', 'privacy-policy.en.txt'))
    expect(c.staffOpenIds.size).toBe(0)
    expect(c.conversationTimeout.toMillis()).toBe(30 * 60_000)
  })

  it('gives the console a public address, a link lifetime and an idle limit', () => {
    const defaults = loadConfig({ PORT: '8080' })
    expect(defaults.console.publicUrl).toBe('http://localhost:8080')
    expect(defaults.console.linkTtl.toMillis()).toBe(10 * 60_000)
    expect(defaults.console.sessionIdle.toMillis()).toBe(8 * 3600_000)
    const set = loadConfig({ PUBLIC_URL: 'https://privacy.jiku.example/', CONSOLE_LINK_TTL: 'PT5M', CONSOLE_SESSION_IDLE: 'PT1H' })
    expect(set.console.publicUrl).toBe('https://privacy.jiku.example')
    expect(set.console.linkTtl.toMillis()).toBe(5 * 60_000)
    expect(set.console.sessionIdle.toMillis()).toBe(3600_000)
  })

  it('trusts X-Forwarded-For only when told it sits behind a proxy', () => {
    expect(loadConfig({}).trustProxy).toBe(false)
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true)
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(/^Configuration error: TRUST_PROXY /)
  })

  it('reads the documented variables', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      WECHAT_TOKEN: 'secretToken1',
      WECHAT_APPID: 'wx1234',
      WECHAT_ENCODING_AES_KEY: KEY,
      WECHAT_API_BASE: 'http://127.0.0.1:9999/',
      DATA_DIR: '/tmp/x',
      STAFF_OPENIDS: ' o1, o2 ,,',
      POLICY_CONTACT_EMAIL: 'privacy@jiku.example',
    })
    expect(c.port).toBe(8080)
    expect(c.wechat.devToken).toBe(false)
    expect(c.wechat.apiBase).toBe('http://127.0.0.1:9999')
    expect([...c.staffOpenIds]).toEqual(['o1', 'o2'])
    expect(c.policyFill.contactEmail).toBe('privacy@jiku.example')
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NODE_ENV: 'production' }, 'WECHAT_TOKEN'],
    [{ WECHAT_TOKEN: 'has space' }, 'WECHAT_TOKEN'],
    [{ WECHAT_ENCODING_AES_KEY: 'short', WECHAT_APPID: 'wx1' }, 'WECHAT_ENCODING_AES_KEY'],
    [{ WECHAT_ENCODING_AES_KEY: KEY }, 'WECHAT_APPID'],
    [{ WECHAT_API_BASE: 'ftp://x' }, 'WECHAT_API_BASE'],
    [{ POLICY_CONTACT_EMAIL: 'not-an-email' }, 'POLICY_CONTACT_EMAIL'],
    [{ CONVERSATION_TIMEOUT: '30 minutes' }, 'CONVERSATION_TIMEOUT'],
    [{ REQUEST_RETENTION: 'P0D' }, 'REQUEST_RETENTION'],
    [{ PUBLIC_URL: 'ftp://staff.example' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'staff.example' }, 'PUBLIC_URL'],
    [{ CONSOLE_LINK_TTL: '10 minutes' }, 'CONSOLE_LINK_TTL'],
    [{ CONSOLE_SESSION_IDLE: 'PT0S' }, 'CONSOLE_SESSION_IDLE'],
  ])('stops with a message naming the bad variable: %o', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Configuration error: ${name} `))
  })
})
