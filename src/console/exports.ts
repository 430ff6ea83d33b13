import { rightName } from '../assistant/rights/texts.js'
import { shanghaiDate } from '../dates.js'
import { RIGHT_TYPES, type RightsRequest } from '../requests/model.js'
import type { Series } from './chart.js'
import { toCsv } from './csv.js'
import { answeredAt } from './figures.js'
import { byDue } from './queue.js'

/**
 * The requests export, for an auditor: ids, kinds, states, dates, due dates and whether each was
 * answered on time. No personal data and no requester ids: an auditor checking deadlines needs
 * none, and a spreadsheet travels further than the console.
 */
export function requestsCsv(all: readonly RightsRequest[], now: Date): string {
  const header = ['id', 'kind', 'type', 'state', 'channel', 'filed_at', 'filed_date_shanghai', 'verified_at', 'due_at', 'due_date_shanghai', 'first_answer_at', 'closed_at', 'replies', 'on_time', 'purged']
  const rows = [...all].sort(byDue).map((r) => {
    const answered = answeredAt(r)
    return [
      r.id,
      r.kind,
      r.type ?? '',
      r.state,
      r.channel,
      r.createdAt,
      shanghaiDate(r.createdAt),
      r.verifiedAt,
      r.dueAt,
      r.dueAt ? shanghaiDate(r.dueAt) : '',
      answered,
      r.closedAt,
      r.replies.length,
      onTime(r, answered, now),
      r.purgedAt ? 'yes' : 'no',
    ]
  })
  return toCsv(header, rows)
}

/** yes / no once decided; pending while the clock still runs; empty where no clock applies. */
function onTime(r: RightsRequest, answered: string | undefined, now: Date): string {
  if (!r.dueAt) return ''
  if (answered) return Date.parse(answered) <= Date.parse(r.dueAt) ? 'yes' : 'no'
  return Date.parse(r.dueAt) < now.getTime() ? 'no' : 'pending'
}

/** Every audit entry of every request, oldest request first. Audit entries never hold personal data. */
export function auditCsv(all: readonly RightsRequest[]): string {
  const header = ['request_id', 'at', 'actor', 'via', 'action', 'note']
  const rows = [...all]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .flatMap((r) => r.audit.map((a) => [r.id, a.at, a.actor, a.via ?? (a.actor.startsWith('staff:') ? 'chat' : ''), a.action, a.note]))
  return toCsv(header, rows)
}

/** The chart's series: every right, then messages to staff. */
export function chartSeries(): Series[] {
  return [...RIGHT_TYPES.map((t) => ({ key: t, label: `${rightName(t, 'zh')} ${t}` })), { key: 'inquiry', label: '留言 inquiry' }]
}
