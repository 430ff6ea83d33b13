import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddedPostgres, type EmbeddedCluster } from '../support/embedded-postgres.js'
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeWechatApi, type FakeWechatApi } from '../support/fake-wechat-api.js'
import { createTestDatabase } from '../support/postgres.js'
import { healthOf as health, startService, type RunningService } from '../support/service-process.js'
import { until } from '../support/until.js'
import { tempDataDir } from '../support/temp-data-dir.js'
import { WechatClient } from '../support/wechat-client.js'

const TOKEN = 'e2eReplicas2026'
const ID = /PR-\d{8}-[A-Z0-9]{6}/g

let db: { url: string; drop: () => Promise<void> }
const replicas: RunningService[] = []
const cleanups: (() => Promise<void>)[] = []

/** One more `npm start` on the shared database, with a DATA_DIR of its own. */
async function startReplica(url = db.url, env: Record<string, string> = {}): Promise<RunningService> {
  const tmp = await tempDataDir()
  cleanups.push(tmp.cleanup)
  const service = await startService({ WECHAT_TOKEN: TOKEN, DATABASE_URL: url, DATABASE_POOL_MAX: '4', DATA_DIR: tmp.dataDir, MAX_OPEN_REQUESTS: '50', ...env }, 60_000)
  replicas.push(service)
  return service
}

async function sql<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}

const clients = () => replicas.map((r) => new WechatClient({ baseUrl: r.baseUrl, token: TOKEN }))

beforeAll(async () => {
  db = await createTestDatabase()
  // Three replicas starting together migrate the empty database once, under the lock.
  await Promise.all([startReplica(), startReplica(), startReplica()])
}, 120_000)

afterAll(async () => {
  for (const r of replicas.splice(0)) await r.stop()
  for (const c of cleanups.splice(0)) await c()
  await db?.drop()
})

describe('several replicas on one PostgreSQL (real processes)', () => {
  it('30 conversations whose turns hop between three replicas each end in one request', async () => {
    const wechat = clients()
    const steps = ['请删除我的个人信息', '张三', 'zhang@example.org', '跳过', '确认']
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, person) => {
        const user = `o-hop-${person}`
        let last = ''
        // Each turn goes to the next replica round the ring, starting at a different one per person.
        for (const [turn, text] of steps.entries()) last = await wechat[(person + turn) % wechat.length]!.text(user, text)
        return { user, ids: [...new Set(last.match(ID) ?? [])] }
      }),
    )
    for (const r of results) expect(r.ids, `${r.user} was told a request number`).toHaveLength(1)
    const rows = await sql<{ user_id: string; n: string }>("SELECT user_id, count(*) AS n FROM requests WHERE user_id LIKE 'o-hop-%' GROUP BY user_id")
    expect(rows).toHaveLength(30)
    expect(rows.every((r) => r.n === '1')).toBe(true)
    // Each person was told the id that was stored.
    const stored = await sql<{ id: string; user_id: string }>("SELECT id, user_id FROM requests WHERE user_id LIKE 'o-hop-%'")
    for (const r of results) expect(stored.find((s) => s.user_id === r.user)?.id).toBe(r.ids[0])
  }, 120_000)

  it('a confirmation WeChat retries to three replicas at once files one request, and every answer is the same or empty', async () => {
    const wechat = clients()
    const user = 'o-retry-1'
    for (const [i, text] of ['请删除我的个人信息', '李四', 'li@example.org', '跳过'].entries()) await wechat[i % 3]!.text(user, text)
    const ts = Math.floor(Date.now() / 1000)
    const confirm = `<xml><ToUserName><![CDATA[gh_jiku]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[确认]]></Content><MsgId>7700000000000000001</MsgId></xml>`
    const answers = await Promise.all(wechat.map((w) => w.post(confirm, user)))
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
    const told = answers.map((a) => a.content ?? '').filter((c) => c !== '')
    expect(told.length).toBeGreaterThanOrEqual(1)
    expect(new Set(told).size).toBe(1)
    const rows = await sql<{ id: string }>('SELECT id FROM requests WHERE user_id = $1', [user])
    expect(rows).toHaveLength(1)
    expect(told[0]).toContain(rows[0]!.id)
  }, 60_000)
})

describe('a database outage (real processes, a PostgreSQL of its own)', () => {
  let cluster: EmbeddedCluster | undefined
  afterAll(async () => cluster?.stop())


  it('policy answers continue while the database is stopped, requests are refused honestly, and everything recovers when it is back', async () => {
    cluster = await startEmbeddedPostgres()
    const [a, b] = await Promise.all([startReplica(cluster.url), startReplica(cluster.url)])
    const wechat = [a!, b!].map((r) => new WechatClient({ baseUrl: r.baseUrl, token: TOKEN }))
    expect((await health(a!)).status).toBe(200)

    await cluster.pause()
    expect(await wechat[0]!.text('o-outage', '你们用cookie吗')).toMatch(/Cookie|cookie/)
    expect(await wechat[1]!.text('o-outage', '请删除我的个人信息')).toMatch(/申请服务暂时不可用/)
    expect(await until(async () => (await health(b!)).status === 503, 10_000)).toBe(true)
    expect((await health(b!)).body).toMatchObject({ status: 'degraded', storage: expect.stringMatching(/^[A-Z0-9_]+$/) })
    // Still answering questions throughout.
    expect(await wechat[0]!.text('o-outage', 'Do you sell my data?')).toMatch(/sell|share|third/i)

    await cluster.resume()
    expect(await until(async () => (await health(a!)).status === 200 && (await health(b!)).status === 200, 20_000)).toBe(true)
    const steps = ['请删除我的个人信息', '王五', 'wang@example.org', '跳过', '确认']
    let last = ''
    for (const [i, text] of steps.entries()) last = await wechat[i % 2]!.text('o-outage', text)
    expect(last).toMatch(/PR-\d{8}-[A-Z0-9]{6}/)
  }, 120_000)
})

describe('replicas die (real processes, SIGKILL)', () => {
  const STAFF = 'oStaffReplicas'
  let api: FakeWechatApi
  let own: { url: string; drop: () => Promise<void> }
  const arrivals: Array<{ touser: string; content: string }> = []
  const env = (): Record<string, string> => ({
    WECHAT_APPID: FAKE_APP_ID,
    WECHAT_APPSECRET: FAKE_APP_SECRET,
    WECHAT_API_BASE: api.baseUrl,
    STAFF_OPENIDS: STAFF,
    RESPONSE_WINDOW: 'PT14S',
    REMINDERS: 'PT7S',
  })
  beforeAll(async () => {
    api = await startFakeWechatApi({ onMessage: (m) => arrivals.push(m) })
    own = await createTestDatabase()
  })
  afterAll(async () => {
    await api?.close()
    await own?.drop()
  })
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const steps = (name: string, email: string) => ['请删除我的个人信息', name, email, '跳过', '确认']

  it('a replica SIGKILLed while 40 people file across two loses no confirmed request, and a retry on the other files it once', async () => {
    const [a, b] = await Promise.all([startReplica(own.url, env()), startReplica(own.url, env())])
    const doors = [a!, b!].map((r) => new WechatClient({ baseUrl: r.baseUrl, token: TOKEN }))
    // WeChat retries a message that got no answer; behind a load balancer the retry reaches the live replica.
    const send = async (user: string, text: string, first: number): Promise<string> => {
      try {
        return await doors[first]!.text(user, text)
      } catch {
        return doors[0]!.text(user, text)
      }
    }
    const told = new Map<string, string>()
    const people = Array.from({ length: 40 }, (_, i) => `o-kill-${i}`)
    const filing = Promise.all(
      people.map(async (user, i) => {
        await sleep(i * 40)
        let last = ''
        for (const [turn, text] of steps('赵六', `${user}@example.org`).entries()) last = await send(user, text, (i + turn) % 2)
        const id = /PR-\d{8}-[A-Z0-9]{6}/.exec(last)?.[0]
        if (id) told.set(user, id)
      }),
    )
    await sleep(700)
    await b!.kill()
    await filing
    const rows = await sqlOn<{ id: string; user_id: string }>(own.url, "SELECT id, user_id FROM requests WHERE user_id LIKE 'o-kill-%'")
    // Every request someone was told about is stored, and nobody has two.
    for (const [user, id] of told) expect(rows.find((r) => r.id === id)?.user_id).toBe(user)
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(rows.length)
    expect(told.size).toBeGreaterThanOrEqual(35)
    await a!.stop()
  }, 120_000)

  it('a verified request: every replica up is SIGKILLed, new ones start, and the reminder and the escalation reach staff exactly once', { timeout: 180_000 }, async () => {
    const first = await Promise.all([startReplica(own.url, env()), startReplica(own.url, env())])
    const doors = first.map((r) => new WechatClient({ baseUrl: r.baseUrl, token: TOKEN }))
    let last = ''
    for (const [turn, text] of steps('钱七', 'qian@example.org').entries()) last = await doors[turn % 2]!.text('o-deadline', text)
    const id = /PR-\d{8}-[A-Z0-9]{6}/.exec(last)![0]
    expect(await doors[1]!.text(STAFF, `/verify ${id}`)).toMatch(/Verified/)
    const verifiedAt = Date.now()
    await Promise.all(first.map((r) => r.kill()))
    const second = await Promise.all([startReplica(own.url, env()), startReplica(own.url, env())])
    const about = (pattern: RegExp) => arrivals.filter((m) => m.touser === STAFF && m.content.includes(id) && pattern.test(m.content))
    // The reminder is due 7 s after verification and the escalation at 14 s: wait for both (a busy
    // machine starts the new replicas slowly), then long enough for a second copy to show up.
    const deadline = verifiedAt + 90_000
    while (Date.now() < deadline && (about(/提醒/).length === 0 || about(/逾期/).length === 0)) await sleep(200)
    await sleep(Math.max(3_000, verifiedAt + 19_000 - Date.now()))
    expect(about(/提醒/)).toHaveLength(1)
    expect(about(/逾期/)).toHaveLength(1)
    const notes = await sqlOn<{ note: string }>(own.url, "SELECT e ->> 'note' AS note FROM requests, jsonb_array_elements(record -> 'audit') e WHERE id = $1 AND e ->> 'action' = 'followup-sent'", [id])
    expect(notes.map((n) => n.note).sort()).toEqual(['overdue:0', 'remind:PT7S'])
    // Six replicas in this file's two tests sent through WeChat's API on one access_token, fetched once.
    expect(api.tokenFetches).toBe(1)
    expect(api.calls.stableToken).toBeGreaterThan(1)
    await Promise.all(second.map((r) => r.stop()))
  })
})

async function sqlOn<R extends pg.QueryResultRow>(url: string, text: string, values?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}
