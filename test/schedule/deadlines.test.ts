import { Duration } from 'luxon'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { MemoryRequestRepository } from '../../src/requests/memory-repository.js'
import type { RightsRequest } from '../../src/requests/model.js'
import { DeadlineKeeper } from '../../src/schedule/deadlines.js'
import { TestClock } from '../support/test-clock.js'
import { ManualScheduler } from '../support/manual-scheduler.js'
import { staffNotices } from '../../src/assistant/staff/texts.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const at = (clock: TestClock, ms: number): Date => new Date(clock.now().getTime() + ms)

function setup(requests?: MemoryRequestRepository, clock = new TestClock(new Date('2026-11-29T02:00:00Z')), standby = false) {
  const repo = requests ?? new MemoryRequestRepository({ clock })
  const scheduler = new ManualScheduler(clock)
  const all: Array<{ at: Date; text: string }> = []
  // Follow-ups only; the daily digest is checked on its own.
  const sent = {
    get length() {
      return all.filter((m) => !m.text.includes('Daily digest')).length
    },
    map: <T,>(f: (m: { at: Date; text: string }) => T) => all.filter((m) => !m.text.includes('Daily digest')).map(f),
  }
  const keeper = new DeadlineKeeper({
    requests: repo,
    scheduler,
    clock,
    logger: silentLogger(),
    staff: { toStaff: async (text) => void all.push({ at: clock.now(), text }) },
    texts: staffNotices,
    reminders: ['P5D', 'P2D', 'P1D'].map((d) => Duration.fromISO(d)),
    standby,
  })
  return { repo, scheduler, clock, sent, all, keeper }
}

async function fileAndVerify(s: ReturnType<typeof setup>): Promise<RightsRequest> {
  const r = await s.repo.create({ kind: 'rights', type: 'delete', channel: 'wechat-oa', userId: 'u1', personal: { name: 'A' } })
  const now = s.clock.now()
  const verified = await s.repo.update(r.id, { state: 'verified', verifiedAt: now.toISOString(), dueAt: new Date(now.getTime() + 15 * DAY).toISOString() }, { actor: 'staff:s', action: 'verified' })
  await s.keeper.onChange(verified)
  return verified
}

describe('the 15-day promise', () => {
  it('reminds at 5, 2 and 1 days before, escalates at the due time and daily after, in one simulated life', async () => {
    const s = setup()
    const start = s.clock.now().getTime()
    const r = await fileAndVerify(s)
    await s.scheduler.advanceTo(new Date(start + 17 * DAY + HOUR))
    const offsets = s.sent.map((m) => Math.round((m.at.getTime() - start) / HOUR))
    expect(offsets).toEqual([10 * 24, 13 * 24, 14 * 24, 15 * 24, 16 * 24, 17 * 24])
    const texts = s.sent.map((m) => m.text)
    expect(texts[0]).toMatch(new RegExp(`提醒：${r.id}[\\s\\S]*还剩 5 天[\\s\\S]*5 d left`))
    expect(texts[3]).toMatch(/逾期[\s\S]*Overdue/)
    expect(texts.every((t) => t.includes(`/show ${r.id}`))).toBe(true)
    const audit = (await s.repo.get(r.id))!.audit.filter((a) => a.action === 'followup-sent').map((a) => a.note)
    expect(audit).toEqual(['remind:P5D', 'remind:P2D', 'remind:P1D', 'overdue:0', 'overdue:1', 'overdue:2'])
  })

  it('closing or rejecting cancels pending follow-ups', async () => {
    const s = setup()
    const r = await fileAndVerify(s)
    await s.scheduler.advanceTo(at(s.clock, 11 * DAY))
    expect(s.sent).toHaveLength(1)
    const closed = await s.repo.update(r.id, { state: 'closed' }, { actor: 'staff:s', action: 'closed' })
    await s.keeper.onChange(closed)
    expect(s.scheduler.pendingKeys().filter((k) => k.startsWith(r.id))).toEqual([])
    await s.scheduler.advanceTo(at(s.clock, 30 * DAY))
    expect(s.sent).toHaveLength(1)
  })

  it('a request closed behind the scheduler’s back still gets nothing when a job fires', async () => {
    const s = setup()
    const r = await fileAndVerify(s)
    await s.repo.update(r.id, { state: 'rejected' }, { actor: 'staff:s', action: 'rejected' })
    await s.scheduler.advanceTo(at(s.clock, 30 * DAY))
    expect(s.sent).toHaveLength(0)
  })

  it('after a restart, missed follow-ups are sent once and nothing is sent twice', async () => {
    const first = setup()
    const start = first.clock.now().getTime()
    const r = await fileAndVerify(first)
    await first.scheduler.advanceTo(new Date(start + 10 * DAY + HOUR)) // the 5-day reminder went out
    expect(first.sent).toHaveLength(1)
    // "Down" from day 10 to day 13.5: the 2-day reminder (day 13) was missed.
    const clock = new TestClock(new Date(start + 13.5 * DAY))
    const second = setup(first.repo, clock)
    await second.keeper.start()
    await second.scheduler.runDue()
    expect(second.sent.map((m) => m.text)).toEqual([expect.stringMatching(/还剩 1 天 12 小时/)])
    // A third start at the same moment sends nothing again.
    const third = setup(first.repo, new TestClock(new Date(start + 13.5 * DAY)))
    await third.keeper.start()
    await third.scheduler.runDue()
    expect(third.sent).toHaveLength(0)
    await third.scheduler.advanceTo(new Date(start + 15 * DAY))
    expect(third.sent.map((m) => m.text)).toEqual([expect.stringMatching(/还剩 1 天/), expect.stringMatching(/逾期/)])
    const notes = (await first.repo.get(r.id))!.audit.filter((a) => a.action === 'followup-sent').map((a) => a.note)
    expect(new Set(notes).size).toBe(notes.length)
  })

  it('two replicas firing the same follow-up at once send it once: the check is made under the request\'s lock', async () => {
    const first = setup()
    const start = first.clock.now().getTime()
    const r = await fileAndVerify(first)
    const second = setup(first.repo, first.clock)
    await second.keeper.start()
    await Promise.all([first.scheduler.advanceTo(new Date(start + 10 * DAY + HOUR)), second.scheduler.advanceTo(new Date(start + 10 * DAY + HOUR))])
    expect(first.sent.length + second.sent.length).toBe(1)
    expect((await first.repo.get(r.id))!.audit.filter((a) => a.action === 'followup-sent').map((a) => a.note)).toEqual(['remind:P5D'])
  })

  it('a replica on standby keeps no deadlines until elected, and none after it steps down', async () => {
    const leader = setup()
    const start = leader.clock.now().getTime()
    const standby = setup(leader.repo, leader.clock, true)
    const r = await fileAndVerify(leader)
    await standby.keeper.onChange(r)
    expect(standby.scheduler.pendingKeys()).toEqual([])
    // The leader dies on day 9; the standby is elected and picks the request up from storage.
    leader.keeper.stop()
    expect(leader.scheduler.pendingKeys()).toEqual([])
    await standby.keeper.start()
    expect(standby.scheduler.pendingKeys()).toContain(`${r.id}:remind:P5D`)
    await standby.scheduler.advanceTo(new Date(start + 15 * DAY + HOUR))
    expect(standby.sent.map((m) => Math.round((m.at.getTime() - start) / HOUR))).toEqual([10 * 24, 13 * 24, 14 * 24, 15 * 24])
    standby.keeper.stop()
    expect(standby.scheduler.pendingKeys()).toEqual([])
  })

  it('resync drops the jobs of requests closed on another replica', async () => {
    const s = setup()
    const r = await fileAndVerify(s)
    await s.keeper.start()
    await s.repo.update(r.id, { state: 'closed' }, { actor: 'staff:s', action: 'closed' })
    await s.keeper.resync()
    expect(s.scheduler.pendingKeys().filter((k) => k.startsWith(r.id))).toEqual([])
  })

  it('long downtime past the due date sends one escalation, not one per missed day', async () => {
    const first = setup()
    const start = first.clock.now().getTime()
    await fileAndVerify(first)
    const second = setup(first.repo, new TestClock(new Date(start + 19 * DAY + HOUR)))
    await second.keeper.start()
    await second.scheduler.runDue()
    expect(second.sent).toHaveLength(1)
    expect(second.sent.map((m) => m.text)[0]).toMatch(/已逾期 4 天 1 小时/)
    await second.scheduler.advanceTo(new Date(start + 20 * DAY + HOUR))
    expect(second.sent).toHaveLength(2)
  })

  it('sends the 09:00 Asia/Shanghai digest with overdue, due-soon and unverified requests', async () => {
    const s = setup() // 2026-11-29 10:00 in Shanghai
    await s.keeper.start()
    const r = await fileAndVerify(s)
    await s.repo.create({ kind: 'rights', type: 'copy', channel: 'wechat-oa', userId: 'u2', personal: null })
    await s.scheduler.advanceTo(new Date('2026-11-30T01:00:00Z')) // 09:00 in Shanghai
    const digest = s.all.find((m) => m.text.includes('Daily digest'))
    expect(digest?.at.toISOString()).toBe('2026-11-30T01:00:00.000Z')
    expect(digest?.text).toMatch(/待核验身份 Awaiting identity verification: 1/)
    await s.scheduler.advanceTo(new Date(Date.parse(r.dueAt!) + DAY))
    const last = s.all.filter((m) => m.text.includes('Daily digest')).at(-1)
    expect(last?.text).toMatch(new RegExp(`逾期 Overdue: 1\\n  ${r.id}`))
  })
})
