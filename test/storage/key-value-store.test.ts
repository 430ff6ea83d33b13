import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import path from 'node:path'
import { MemoryConversationStore, openConversationStore, type ConversationStore } from '../../src/storage/conversation-store.js'
import { StoreClosedError } from '../../src/storage/errors.js'
import { TestClock, tempDataDir } from './helpers.js'

type State = { step: string; fields?: Record<string, string> }

const implementations: [string, (clock: TestClock) => Promise<{ store: ConversationStore<State>; cleanup: () => Promise<void> }>][] = [
  ['memory', async (clock) => ({ store: new MemoryConversationStore<State>(clock), cleanup: async () => {} })],
  [
    'file',
    async (clock) => {
      const tmp = await tempDataDir()
      const store = await openConversationStore<State>(path.join(tmp.dataDir, 'conversations.json'), clock)
      return { store, cleanup: async () => (await store.close(), await tmp.cleanup()) }
    },
  ],
]

describe.each(implementations)('ConversationStore (%s)', (_name, make) => {
  let clock: TestClock
  let store: ConversationStore<State>
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    clock = new TestClock(new Date('2026-11-29T00:00:00Z'))
    ;({ store, cleanup } = await make(clock))
  })
  afterEach(async () => cleanup())

  it('gets copies, so callers cannot change stored state by accident', async () => {
    const value: State = { step: 'a', fields: { email: 'x@y.z' } }
    await store.set('k', value)
    value.step = 'changed'
    const got = await store.get('k')
    expect(got).toEqual({ step: 'a', fields: { email: 'x@y.z' } })
    got!.step = 'changed again'
    expect((await store.get('k'))?.step).toBe('a')
  })

  it('deletes, counts, and drops idle conversations', async () => {
    await store.set('a', { step: '1' })
    clock.advance(40 * 60_000)
    await store.set('b', { step: '2' })
    expect(store.size()).toBe(2)
    expect(await store.deleteIdleSince(new Date(clock.now().getTime() - 30 * 60_000))).toBe(1)
    expect(await store.get('a')).toBeUndefined()
    expect(await store.delete('b')).toBe(true)
    expect(store.size()).toBe(0)
  })
})

describe('JsonKeyValueStore after close', () => {
  it('refuses writes', async () => {
    const tmp = await tempDataDir()
    const store = await openConversationStore<State>(path.join(tmp.dataDir, 'c.json'), new TestClock(new Date()))
    await store.close()
    await expect(store.set('a', { step: '1' })).rejects.toThrow(StoreClosedError)
    await tmp.cleanup()
  })
})

describe('ShardedConversationStore', () => {
  it('spreads keys over small files and behaves like one store across a reopen', async () => {
    const { mkdtemp, readdir, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { ShardedConversationStore } = await import('../../src/storage/sharded-store.js')
    const dir = await mkdtemp(path.join(tmpdir(), 'shards-'))
    let now = new Date('2026-11-29T02:00:00Z')
    const clock = { now: () => now }
    const store = await ShardedConversationStore.open<{ n: number }>(dir, clock, 8)
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.set(`wechat-oa:u${i}`, { n: i })))
    expect(store.size()).toBe(100)
    expect((await readdir(dir)).filter((f) => f.endsWith('.json')).length).toBe(8)
    expect(await store.delete('wechat-oa:u5')).toBe(true)
    now = new Date(now.getTime() + 3_600_000)
    await store.set('wechat-oa:u7', { n: 70 })
    await store.close()
    const reopened = await ShardedConversationStore.open<{ n: number }>(dir, clock, 8)
    expect(await reopened.get('wechat-oa:u7')).toEqual({ n: 70 })
    expect(await reopened.get('wechat-oa:u5')).toBeUndefined()
    expect(await reopened.deleteIdleSince(new Date(now.getTime() - 60_000))).toBe(98)
    expect(reopened.size()).toBe(1)
    await reopened.close()
    await rm(dir, { recursive: true, force: true })
  })
})
