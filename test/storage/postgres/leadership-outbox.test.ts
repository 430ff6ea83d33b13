import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/log.js'
import type { OutboxItem } from '../../../src/outbox/outbox-store.js'
import { PostgresLeadership } from '../../../src/storage/postgres/leadership.js'
import { PostgresOutboxStore } from '../../../src/storage/postgres/outbox-store.js'
import { migratedDatabase } from '../../support/postgres.js'
import { until } from '../../support/until.js'

const database = migratedDatabase()
const replicaPool = () => database.pool()

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const item = (store: PostgresOutboxStore, userId: string, text: string): OutboxItem => ({
  id: `${userId}-${text}`,
  seq: store.nextSeq(),
  to: { channel: 'wechat-oa', userId },
  text,
  createdAt: '2026-12-01T02:00:00.000Z',
  attempts: 0,
})

describe('one elected replica (PostgresLeadership)', () => {
  it('elects one replica; when it goes, another takes over within the interval', async () => {
    const events: string[] = []
    const replica = (name: string) => new PostgresLeadership({ url: database.url(), logger: silentLogger(), intervalMs: 100 })
    const a = replica('a')
    const b = replica('b')
    await a.start(async () => void events.push('a leads'), async () => void events.push('a steps down'))
    await b.start(async () => void events.push('b leads'), async () => void events.push('b steps down'))
    await sleep(300)
    expect(events).toEqual(['a leads'])
    expect([a.leading, b.leading]).toEqual([true, false])
    await a.stop()
    expect(await until(() => b.leading, 2_000)).toBe(true)
    expect(events).toEqual(['a leads', 'a steps down', 'b leads'])
    await b.stop()
  })

  it('a leader whose connection is killed steps down at once, and exactly one replica leads again', async () => {
    const events: string[] = []
    const a = new PostgresLeadership({ url: database.url(), logger: silentLogger(), intervalMs: 100 })
    const b = new PostgresLeadership({ url: database.url(), logger: silentLogger(), intervalMs: 100 })
    await a.start(async () => void events.push('a leads'), async () => void events.push('a steps down'))
    await b.start(async () => void events.push('b leads'), async () => void events.push('b steps down'))
    // The server ends the leader's session, as when its replica is killed or loses the network.
    const admin = replicaPool()
    const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", [0x6c656164])
    expect(killed.rows).toHaveLength(1)
    // It steps down, and one replica (the other, or itself again on a new connection) leads.
    expect(await until(() => events.includes('a steps down') && (a.leading || b.leading), 3_000)).toBe(true)
    expect(a.leading && b.leading).toBe(false)
    await Promise.all([a.stop(), b.stop()])
  })
})

describe('the shared outbox (PostgresOutboxStore)', () => {
  it("keeps a replica's messages durable; the elected one adopts them only once that replica is gone", async () => {
    const a = await PostgresOutboxStore.open(replicaPool())
    const b = await PostgresOutboxStore.open(replicaPool())
    const first = item(a, 'o-1', 'hello')
    const second = item(a, 'o-1', 'again')
    await a.put(first)
    await a.put(second)
    await a.put({ ...second, attempts: 1, lastError: 'system-busy' })
    await a.remove('missing')
    expect(a.list().map((i) => i.text)).toEqual(['hello', 'again'])
    // While a lives, nothing is taken from it.
    expect(await b.adoptOrphans()).toEqual([])
    await a.close()
    const adopted = await b.adoptOrphans()
    expect(adopted.map((i) => [i.text, i.attempts])).toEqual([
      ['hello', 0],
      ['again', 1],
    ])
    expect(b.size()).toBe(2)
    await b.remove(first.id)
    // A third replica finds only what b still holds, and b is alive: nothing to adopt.
    const c = await PostgresOutboxStore.open(replicaPool())
    expect(await c.adoptOrphans()).toEqual([])
    await b.close()
    expect((await c.adoptOrphans()).map((i) => i.text)).toEqual(['again'])
    await c.close()
  })
})
