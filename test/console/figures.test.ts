import { describe, expect, it } from 'vitest'
import { weeklyChart } from '../../src/console/chart.js'
import { chartSeries } from '../../src/console/exports.js'
import { dashboardFigures, median, weeklyCounts } from '../../src/console/figures.js'
import { buildQueue, dueIn, parseQueueQuery } from '../../src/console/queue.js'
import type { RequestRecord, RightsRequest } from '../../src/requests/model.js'

const NOW = new Date('2026-11-29T02:00:00Z')
const DAY = 86_400_000
const at = (days: number): string => new Date(NOW.getTime() + days * DAY).toISOString()
let n = 0

function req(fields: Partial<RequestRecord>): RightsRequest {
  n++
  return {
    id: `PR-20261101-AAAA${String(n).padStart(2, '0')}`,
    kind: 'rights',
    type: 'delete',
    state: 'submitted',
    channel: 'wechat-oa',
    userId: `o${n}`,
    personal: null,
    createdAt: at(-30),
    replies: [],
    audit: [],
    ...fields,
  } as RightsRequest
}

const reply = (days: number) => [{ at: at(days), by: 'staff:oS' }]

describe('dashboard figures', () => {
  const all = [
    req({ state: 'submitted' }), // awaiting verification
    req({ state: 'verified', verifiedAt: at(-20), dueAt: at(-5) }), // overdue, unanswered: late
    req({ state: 'verified', verifiedAt: at(-13), dueAt: at(2) }), // due within 3 days
    req({ state: 'verified', verifiedAt: at(-2), dueAt: at(13) }), // fine
    req({ state: 'closed', verifiedAt: at(-40), dueAt: at(-25), replies: reply(-36), closedAt: at(-35) }), // 4 days, on time
    req({ state: 'replied', verifiedAt: at(-30), dueAt: at(-15), replies: reply(-20) }), // 10 days, on time; still open past its due time, so overdue (as /list overdue)
    req({ state: 'closed', verifiedAt: at(-50), dueAt: at(-35), replies: reply(-31), closedAt: at(-30) }), // 19 days, late
    req({ state: 'rejected', verifiedAt: at(-10), dueAt: at(5), closedAt: at(-8) }), // rejected in 2 days: answered on time, no reply
    req({ state: 'closed', verifiedAt: at(-200), dueAt: at(-185), replies: reply(-190), closedAt: at(-189) }), // outside the period
    req({ type: 'marketing-opt-out', state: 'closed', closedAt: at(-3) }),
    req({ kind: 'inquiry', type: undefined, state: 'submitted' }),
  ]

  it('counts open, overdue, due soon and awaiting verification among rights requests', () => {
    const f = dashboardFigures(all, NOW)
    expect(f).toMatchObject({ open: 5, overdue: 2, dueSoon: 1, awaitingVerification: 1, periodDays: 90 })
  })

  it('on-time rate and median days to first reply over the last 90 days', () => {
    const f = dashboardFigures(all, NOW)
    // Considered: the overdue one (late), the 4-day (on time), 10-day (on time), 19-day (late), the rejection (on time).
    expect(f.onTime).toEqual({ rate: 3 / 5, onTime: 3, considered: 5 })
    expect(f.medianDaysToReply).toBe(10)
  })

  it('has no rate or median without data', () => {
    const f = dashboardFigures([req({})], NOW)
    expect(f.onTime).toBeUndefined()
    expect(f.medianDaysToReply).toBeUndefined()
  })

  it('median of even and odd counts', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeUndefined()
  })

  it('weekly counts by type, Monday weeks in Asia/Shanghai, and a chart drawn from them', () => {
    // 2026-11-29 02:00Z is Sunday 10:00 in Shanghai; Monday 2026-11-23 starts its week.
    const weeks = weeklyCounts(
      [
        req({ createdAt: '2026-11-22T17:00:00Z' }), // Monday 01:00 Shanghai: this week
        req({ createdAt: '2026-11-22T15:00:00Z', type: 'access' }), // Sunday 23:00 Shanghai: last week
        req({ kind: 'inquiry', type: undefined, createdAt: '2026-11-25T00:00:00Z' }),
      ],
      NOW,
      3,
    )
    expect(weeks.map((w) => w.week)).toEqual(['2026-11-09', '2026-11-16', '2026-11-23'])
    expect(weeks[2]!.counts).toEqual({ delete: 1, inquiry: 1 })
    expect(weeks[1]!.counts).toEqual({ access: 1 })
    const { svg, legend } = weeklyChart(weeks, chartSeries(), 'Requests <per> week')
    expect(legend.map((l) => l.label)).toEqual(['查阅个人信息 access', '删除个人信息 delete', '留言 inquiry'])
    expect(svg).toMatch(/^<svg [^>]*role="img"/)
    expect(svg).toContain('Requests &#60;per&#62; week')
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(3)
    expect(svg).not.toMatch(/style=|<script|href=/)
  })
})

describe('the queue', () => {
  it('lists open requests soonest due first, inquiries apart, opt-outs hidden; days left or overdue', () => {
    const a = req({ state: 'verified', verifiedAt: at(-10), dueAt: at(5) })
    const b = req({ state: 'verified', verifiedAt: at(-20), dueAt: at(-2) })
    const c = req({ state: 'submitted' })
    const i = req({ kind: 'inquiry', type: undefined })
    const o = req({ type: 'marketing-opt-out', state: 'closed', closedAt: at(-1) })
    const q = buildQueue([a, b, c, i, o], parseQueueQuery({}), NOW)
    expect(q.rights.map((r) => r.id)).toEqual([b.id, a.id, c.id])
    expect(q.inquiries.map((r) => r.id)).toEqual([i.id])
    expect(q.rights[0]!.dueIn).toEqual({ overdue: true, days: 2 })
    expect(q.rights[1]!.dueIn).toEqual({ overdue: false, days: 5 })
    expect(q.rights[2]!.dueIn).toBeUndefined()
    expect(dueIn(a, NOW)).toEqual({ overdue: false, days: 5 })
    expect(buildQueue([a, b, c, o], parseQueueQuery({ state: 'overdue' }), NOW).rights.map((r) => r.id)).toEqual([b.id])
    expect(buildQueue([a, b, c, o], parseQueueQuery({ state: 'all', type: 'marketing-opt-out' }), NOW).rights.map((r) => r.id)).toEqual([o.id])
    expect(buildQueue([a, b, c], parseQueueQuery({ q: a.id.slice(-6).toLowerCase() }), NOW).rights.map((r) => r.id)).toEqual([a.id])
  })

  it('ignores unknown filter values', () => {
    expect(parseQueueQuery({ state: '<script>', type: 'nope', q: '"><b>' })).toEqual({ state: 'open', q: 'B' })
  })
})
