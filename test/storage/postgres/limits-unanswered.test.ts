import { describe, expect, it, onTestFinished } from 'vitest'
import { silentLogger } from '../../../src/log.js'
import { createPool } from '../../../src/storage/postgres/pool.js'
import { PostgresRateLimiter } from '../../../src/storage/postgres/rate-limit.js'
import { PostgresUnansweredLog } from '../../../src/storage/postgres/unanswered-log.js'
import { migratedDatabase } from '../../support/postgres.js'
import { until } from '../../support/until.js'

const database = migratedDatabase()
const replicaPool = (url?: string) => database.pool({ url, max: 2 })

const at = (seconds: number) => new Date(Date.parse('2026-12-01T02:00:00Z') + seconds * 1000)

describe('the shared rate limit (PostgresRateLimiter)', () => {
  it('counts one person across replicas, refills over the minute, and keeps people apart', async () => {
    const a = new PostgresRateLimiter(replicaPool(), 3, silentLogger())
    const b = new PostgresRateLimiter(replicaPool(), 3, silentLogger())
    const allowed = [await a.allow('wechat-oa:o-1', at(0)), await b.allow('wechat-oa:o-1', at(0)), await a.allow('wechat-oa:o-1', at(1)), await b.allow('wechat-oa:o-1', at(1))]
    expect(allowed).toEqual([true, true, true, false])
    expect(await b.allow('wechat-oa:o-2', at(1))).toBe(true)
    // 3 a minute: one more after 20 s, not before.
    expect(await a.allow('wechat-oa:o-1', at(15))).toBe(false)
    expect(await a.allow('wechat-oa:o-1', at(36))).toBe(true)
    expect(await b.allow('wechat-oa:o-1', at(37))).toBe(false)
  })

  it('a pool for bookkeeping commits without waiting for the disk; the others wait', async () => {
    // The test server itself runs without flushing; this database is made to flush, as production does.
    const admin = replicaPool()
    const { rows } = await admin.query<{ db: string }>('SELECT current_database() AS db')
    await admin.query(`ALTER DATABASE ${rows[0]!.db} SET synchronous_commit = on`)
    const quick = createPool({ connectionString: database.url(), max: 1, asyncCommit: true, logger: silentLogger() })
    onTestFinished(() => quick.end())
    expect((await quick.query('SHOW synchronous_commit')).rows[0]).toEqual({ synchronous_commit: 'off' })
    expect((await replicaPool().query('SHOW synchronous_commit')).rows[0]).toEqual({ synchronous_commit: 'on' })
  })

  it('lets messages through while the database cannot be reached', async () => {
    const down = new PostgresRateLimiter(replicaPool('postgres://nobody@127.0.0.1:1/none'), 1, silentLogger())
    expect([await down.allow('k', at(0)), await down.allow('k', at(0))]).toEqual([true, true])
  })
})

describe('unanswered questions in the database (PostgresUnansweredLog)', () => {
  it('keeps them masked and without who asked, reads them since a date, and purges the old ones', async () => {
    const pool = replicaPool()
    const log = new PostgresUnansweredLog(pool, silentLogger())
    log.record('  我的邮箱 zhang@example.com 被你们卖了吗  ', 'zh', at(0))
    log.record('what about my parrot', 'en', at(86_400))
    log.record('   ', 'en', at(86_400))
    await until(async () => (await log.read(at(-1))).length === 2, 5_000)
    expect(await log.read(at(-1))).toEqual([
      { q: expect.not.stringContaining('zhang@example.com'), lang: 'zh', at: at(0).toISOString() },
      { q: 'what about my parrot', lang: 'en', at: at(86_400).toISOString() },
    ])
    expect((await log.read(at(3600))).map((k) => k.q)).toEqual(['what about my parrot'])
    expect(await log.purgeBefore(at(3600))).toBe(1)
    expect(await log.read(at(-1))).toHaveLength(1)
    const columns = await pool.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'unanswered'")
    expect(columns.rows.map((r: { column_name: string }) => r.column_name).sort()).toEqual(['at', 'id', 'lang', 'q'])
  })
})
