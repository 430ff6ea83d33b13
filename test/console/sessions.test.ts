import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConsoleSessions, type ConsoleEntry } from '../../src/console/sessions.js'
import { csrfToken, digest } from '../../src/console/tokens.js'
import { JsonKeyValueStore } from '../../src/storage/key-value-store.js'
import { TestClock } from '../support/test-clock.js'
import { tempDataDir } from '../support/temp-data-dir.js'

const MIN = 60_000
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function setup(options: { linksPerWindow?: number } = {}) {
  const clock = new TestClock('2026-11-29T02:00:00Z')
  const tmp = await tempDataDir()
  const file = path.join(tmp.dataDir, 'console-sessions.json')
  const store = await JsonKeyValueStore.open<ConsoleEntry>(file, clock)
  const make = (s: typeof store) =>
    new ConsoleSessions({ store: s, publicUrl: 'https://console.jiku.example', linkTtlMs: 10 * MIN, sessionIdleMs: 8 * 60 * MIN, ...options })
  cleanups.push(async () => {
    await store.close()
    await tmp.cleanup()
  })
  return { clock, file, store, sessions: make(store), make }
}

const tokenOf = (url: string): string => new URL(url).searchParams.get('token')!

describe('console sign-in links and sessions', () => {
  it('issues a link under PUBLIC_URL with a 256-bit token, stored only as its SHA-256', async () => {
    const { sessions, clock, file, store } = await setup()
    const link = await sessions.issue('staff:oStaff', clock.now())
    if (!('url' in link)) throw new Error('refused')
    expect(link.url).toMatch(/^https:\/\/console\.jiku\.example\/console\/login\?token=[A-Za-z0-9_-]{43}$/)
    expect(link.expiresAt.toISOString()).toBe('2026-11-29T02:10:00.000Z')
    const token = tokenOf(link.url)
    await store.close()
    const onDisk = await readFile(file, 'utf8')
    expect(onDisk).not.toContain(token)
    expect(onDisk).toContain(digest(token))
  })

  it('a link works once, and a session secret is stored only hashed', async () => {
    const { sessions, clock, file, store } = await setup()
    const link = await sessions.issue('staff:oStaff', clock.now())
    const token = tokenOf((link as { url: string }).url)
    const session = await sessions.redeem(token, clock.now())
    expect(session?.actor).toBe('staff:oStaff')
    expect(session!.secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await sessions.redeem(token, clock.now())).toBeUndefined()
    expect(await sessions.lookup(session!.secret, clock.now())).toMatchObject({ actor: 'staff:oStaff' })
    await store.close()
    const onDisk = await readFile(file, 'utf8')
    expect(onDisk).not.toContain(session!.secret)
    expect(onDisk).toContain(digest(session!.secret))
  })

  it('a link expires after CONSOLE_LINK_TTL', async () => {
    const { sessions, clock } = await setup()
    const token = tokenOf(((await sessions.issue('staff:oStaff', clock.now())) as { url: string }).url)
    clock.advance(10 * MIN)
    expect(await sessions.redeem(token, clock.now())).toBeUndefined()
  })

  it('refuses made-up and malformed tokens', async () => {
    const { sessions, clock } = await setup()
    expect(await sessions.redeem('x'.repeat(43), clock.now())).toBeUndefined()
    expect(await sessions.redeem('', clock.now())).toBeUndefined()
    expect(await sessions.redeem('../../etc/passwd', clock.now())).toBeUndefined()
    expect(await sessions.lookup(undefined, clock.now())).toBeUndefined()
    expect(await sessions.lookup('y'.repeat(43), clock.now())).toBeUndefined()
  })

  it('a session ends after CONSOLE_SESSION_IDLE without use; use keeps it alive', async () => {
    const { sessions, clock } = await setup()
    const token = tokenOf(((await sessions.issue('staff:oStaff', clock.now())) as { url: string }).url)
    const { secret } = (await sessions.redeem(token, clock.now()))!
    clock.advance(7 * 60 * MIN)
    expect(await sessions.lookup(secret, clock.now())).toBeDefined()
    clock.advance(7 * 60 * MIN)
    expect(await sessions.lookup(secret, clock.now())).toBeDefined()
    clock.advance(8 * 60 * MIN)
    expect(await sessions.lookup(secret, clock.now())).toBeUndefined()
  })

  it('sign-out ends the session', async () => {
    const { sessions, clock } = await setup()
    const token = tokenOf(((await sessions.issue('staff:oStaff', clock.now())) as { url: string }).url)
    const { secret } = (await sessions.redeem(token, clock.now()))!
    await sessions.end(secret)
    expect(await sessions.lookup(secret, clock.now())).toBeUndefined()
  })

  it('sessions survive a restart (reopening the file)', async () => {
    const { sessions, clock, file, store, make } = await setup()
    const token = tokenOf(((await sessions.issue('staff:oStaff', clock.now())) as { url: string }).url)
    const { secret } = (await sessions.redeem(token, clock.now()))!
    await store.close()
    const reopened = await JsonKeyValueStore.open<ConsoleEntry>(file, clock)
    cleanups.unshift(() => reopened.close())
    expect(await make(reopened).lookup(secret, clock.now())).toMatchObject({ actor: 'staff:oStaff' })
  })

  it('at most 5 links per staff member in 10 minutes', async () => {
    const { sessions, clock } = await setup()
    for (let i = 0; i < 5; i++) expect('url' in (await sessions.issue('staff:oA', clock.now()))).toBe(true)
    expect(await sessions.issue('staff:oA', clock.now())).toEqual({ refused: 'too-many' })
    expect('url' in (await sessions.issue('staff:oB', clock.now()))).toBe(true)
    clock.advance(10 * MIN + 1)
    expect('url' in (await sessions.issue('staff:oA', clock.now()))).toBe(true)
  })

  it('the CSRF token is derived from the session secret and reveals nothing of it', () => {
    expect(csrfToken('secret-a')).toBe(csrfToken('secret-a'))
    expect(csrfToken('secret-a')).not.toBe(csrfToken('secret-b'))
    expect(csrfToken('secret-a')).not.toContain('secret')
  })
})
