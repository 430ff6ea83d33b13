/**
 * Cost of the storage paths as the request history grows.
 *   npx tsx bench/requests.ts
 * For each history size the shard files are written directly (fast), the storage is opened, and we
 * time (a) a conversation-state write — what every message ("turn") pays — and (b) filing a request.
 * The turn must stay flat; filing pays for the current month's last shard part only (≤ 1000 records).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DateTime } from 'luxon'
import { silentLogger } from '../src/log.js'
import { REQUEST_ID_ALPHABET } from '../src/requests/ids.js'
import type { RequestRecord } from '../src/requests/model.js'
import { DEFAULT_SHARD_CAPACITY } from '../src/storage/file-request-repository.js'
import { openStorage } from '../src/storage/open.js'

const NOW = new Date('2026-11-15T04:00:00Z')
const clock = { now: () => new Date(NOW) }
const MONTHS = 24
const ACTIVE_CONVERSATIONS = 200
const TURNS = 300
const FILINGS = 60

let serial = 0
function fakeId(day: DateTime): string {
  let n = serial++
  let s = ''
  for (let i = 0; i < 6; i++) {
    s += REQUEST_ID_ALPHABET[n % 32]
    n = Math.floor(n / 32)
  }
  return `PR-${day.toFormat('yyyyMMdd')}-${s}`
}

function fakeRecord(day: DateTime, i: number): RequestRecord {
  const at = day.toUTC().toISO()!
  const closed = i % 5 !== 0
  return {
    id: fakeId(day),
    kind: i % 7 === 0 ? 'inquiry' : 'rights',
    ...(i % 7 === 0 ? {} : { type: 'access' as const }),
    state: closed ? 'closed' : 'verified',
    channel: 'wechat-oa',
    userId: `oUser${(i * 7919) % 50_000}`,
    personal: { name: `User ${i}`, email: `user${i}@example.com`, phone: '13800000000', details: { note: 'please send my data' } },
    createdAt: at,
    verifiedAt: at,
    dueAt: at,
    ...(closed ? { closedAt: at } : {}),
    replies: closed ? [{ at, by: 'staff:s1', text: 'Attached is a copy of your personal information.' }] : [],
    audit: [
      { at, actor: 'user', action: 'created' },
      { at, actor: 'staff:s1', action: 'verified' },
      ...(closed ? [{ at, actor: 'staff:s1' as const, action: 'closed' }] : []),
    ],
  }
}

/**
 * Writes `total` requests into shard files as the repository lays them out (parts of
 * DEFAULT_SHARD_CAPACITY per month); `spread` months ending with the current one share them evenly.
 * Returns the size of the part new requests will go into.
 */
async function populate(dir: string, total: number, spread: number): Promise<number> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const current = DateTime.fromJSDate(NOW, { zone: 'Asia/Shanghai' }).startOf('month')
  let target = 0
  for (let m = 0; m < spread; m++) {
    const month = current.minus({ months: m })
    const n = Math.floor(total / spread) + (m < total % spread ? 1 : 0)
    for (let part = 1, done = 0; done < n; part++) {
      const size = Math.min(DEFAULT_SHARD_CAPACITY, n - done)
      const requests: Record<string, RequestRecord> = {}
      for (let i = done; i < done + size; i++) {
        const r = fakeRecord(month.plus({ days: i % 10, hours: 1 }), i)
        requests[r.id] = r
      }
      done += size
      if (m === 0) target = size === DEFAULT_SHARD_CAPACITY ? 0 : size
      const name = part === 1 ? month.toFormat('yyyy-MM') : `${month.toFormat('yyyy-MM')}.${part}`
      await writeFile(path.join(dir, `${name}.json`), JSON.stringify({ version: 1, requests }), { mode: 0o600 })
    }
  }
  return target
}

function stats(samples: number[]): { median: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
  return { median: at(0.5), p99: at(0.99) }
}

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn(i)
    out.push(performance.now() - t)
  }
  return out
}

async function scenario(label: string, stored: number, spread: number): Promise<Record<string, string | number>> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'jiku-bench-'))
  try {
    const targetPart = await populate(path.join(root, 'requests'), stored, spread)
    const t0 = performance.now()
    const storage = await openStorage<{ step: string; n: number }>({ dataDir: root, clock, logger: silentLogger() })
    const openMs = performance.now() - t0
    for (let i = 0; i < ACTIVE_CONVERSATIONS; i++) await storage.conversations.set(`wechat-oa:active${i}`, { step: 'ask-email', n: i })
    const turns = stats(await timeEach(TURNS, (i) => storage.conversations.set(`wechat-oa:active${i % ACTIVE_CONVERSATIONS}`, { step: 'confirm', n: i })))
    const filings = stats(
      await timeEach(FILINGS, (i) =>
        storage.requests.create({ kind: 'rights', type: 'delete', channel: 'wechat-oa', userId: `oBench${i}`, personal: { email: `b${i}@example.com` } }),
      ),
    )
    await storage.close()
    const f = (x: number) => x.toFixed(2)
    return {
      stored: label,
      'target part (before)': targetPart,
      'open ms': Math.round(openMs),
      'turn ms (median / p99)': `${f(turns.median)} / ${f(turns.p99)}`,
      'file request ms (median / p99)': `${f(filings.median)} / ${f(filings.p99)}`,
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

const started = performance.now()
const rows = []
for (const n of [1_000, 10_000, 100_000]) rows.push(await scenario(`${n / 1000}k over ${MONTHS} months`, n, MONTHS))
// Worst case for filing: a whole history in the current month, its last part nearly full.
rows.push(await scenario('99.9k in this month', 100_000 - FILINGS, 1))
console.log(
  `${ACTIVE_CONVERSATIONS} active conversations; ${TURNS} turns and ${FILINGS} filings per row; ` +
    `shard parts of ${DEFAULT_SHARD_CAPACITY}; every write fsync'd\n`,
)
console.table(rows)
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`)
