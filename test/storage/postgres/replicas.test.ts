import { describe, expect, it } from 'vitest'
import { createHeldNotices } from '../../../src/assistant/held-notices.js'
import { ReplyDedupe, type MessageClaims } from '../../../src/channels/wechat-oa/dedupe.js'
import { PostgresKeyValueStore } from '../../../src/storage/postgres/key-value-store.js'
import { silentLogger } from '../../../src/log.js'
import { PostgresMessageClaims } from '../../../src/storage/postgres/message-claims.js'
import { PostgresTurnLock } from '../../../src/storage/postgres/turn-lock.js'
import { migratedDatabase } from '../../support/postgres.js'
import { TestClock } from '../../support/test-clock.js'

type Answer = { text: string } | null

const database = migratedDatabase()
/** A pool of its own: one replica of the service. */
const replicaPool = () => database.pool()

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const clock = new TestClock('2026-12-01T02:00:00Z')
const replica = (claims: MessageClaims<Answer>, waitMs?: number) => new ReplyDedupe<Answer>({ clock, shared: { claims, empty: null, waitMs } })

describe('WeChat retries across replicas (message_claims)', () => {
  it('answers a message once: a retry on another replica, even mid-answer, gets the same answer', async () => {
    const [a, b, c] = [0, 1, 2].map(() => replica(new PostgresMessageClaims<Answer>(replicaPool(), clock)))
    let runs = 0
    const work = async (): Promise<Answer> => {
      runs++
      await sleep(300)
      return { text: 'filed PR-1' }
    }
    const answers = await Promise.all([a!, b!, c!].map((r) => r.run('o-1\u0000msg\u00001', work).promise))
    expect(runs).toBe(1)
    expect(answers).toEqual([{ text: 'filed PR-1' }, { text: 'filed PR-1' }, { text: 'filed PR-1' }])
    // A later retry, on yet another replica, still gets it.
    expect(await replica(new PostgresMessageClaims<Answer>(replicaPool(), clock)).run('o-1\u0000msg\u00001', work).promise).toEqual({ text: 'filed PR-1' })
    expect(runs).toBe(1)
  })

  it('answers empty when the first replica has not answered within the wait, never a second time', async () => {
    const slow = replica(new PostgresMessageClaims<Answer>(replicaPool(), clock))
    const hasty = replica(new PostgresMessageClaims<Answer>(replicaPool(), clock), 200)
    let runs = 0
    const work = async (): Promise<Answer> => (runs++, await sleep(1_000), { text: 'late' })
    const first = slow.run('o-2\u0000msg\u00002', work).promise
    // The first replica has claimed the message once its work has begun.
    while (runs === 0) await sleep(10)
    expect(await hasty.run('o-2\u0000msg\u00002', work).promise).toBeNull()
    expect(await first).toEqual({ text: 'late' })
    expect(runs).toBe(1)
  })

  it('answers here when the claims cannot be reached: policy questions need no database', async () => {
    const down: MessageClaims<Answer> = {
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      settle: () => Promise.reject(new Error('ECONNREFUSED')),
      settled: () => Promise.reject(new Error('ECONNREFUSED')),
    }
    expect(await replica(down).run('o-3\u0000msg\u00003', async () => ({ text: 'cookies are…' })).promise).toEqual({ text: 'cookies are…' })
  })
})

describe('one person at a time across replicas (PostgresTurnLock)', () => {
  it("serialises one person's turns on two replicas, and lets another person's run alongside", async () => {
    const a = new PostgresTurnLock(replicaPool(), silentLogger())
    const b = new PostgresTurnLock(replicaPool(), silentLogger())
    const events: string[] = []
    const turn = (name: string, ms: number) => async () => {
      events.push(`${name} start`)
      await sleep(ms)
      events.push(`${name} end`)
      return name
    }
    const first = a.run('wechat-oa:o-alice', turn('a1', 300))
    await sleep(50)
    const second = b.run('wechat-oa:o-alice', turn('b1', 10))
    const other = b.run('wechat-oa:o-bob', turn('bob', 10))
    expect(await Promise.all([first, second, other])).toEqual(['a1', 'b1', 'bob'])
    expect(events.indexOf('b1 start')).toBeGreaterThan(events.indexOf('a1 end'))
    expect(events.indexOf('bob end')).toBeLessThan(events.indexOf('a1 end'))
  })

  it('releases the lock when a turn throws', async () => {
    const a = new PostgresTurnLock(replicaPool(), silentLogger())
    const b = new PostgresTurnLock(replicaPool(), silentLogger())
    await expect(a.run('wechat-oa:o-carol', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await b.run('wechat-oa:o-carol', async () => 'next')).toBe('next')
  })

  it('runs the turn unlocked when the database cannot be reached', async () => {
    const pool = database.pool({ url: 'postgres://nobody@127.0.0.1:1/none', max: 1 })
    expect(await new PostgresTurnLock(pool, silentLogger()).run('wechat-oa:o-dave', async () => 'answered')).toBe('answered')
  })
})

describe('held notices across replicas (atomic update of a keyed store)', () => {
  it('notices held by several replicas while others take them are each delivered exactly once', async () => {
    const replicas = [0, 1, 2].map(() => createHeldNotices(new PostgresKeyValueStore<{ texts: string[] }>(replicaPool(), 'held-notices', clock)))
    const to = { channel: 'wechat-oa', userId: 'o-held' }
    const taken: string[] = []
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => replicas[i % 3]!.hold(to, `notice ${i}`)),
      ...Array.from({ length: 10 }, async (_, i) => taken.push(...(await replicas[(i + 1) % 3]!.take(to)))),
    ])
    taken.push(...(await replicas[0]!.take(to)))
    expect(taken.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `notice ${i}`).sort())
  })
})
