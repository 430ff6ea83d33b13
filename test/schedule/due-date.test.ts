import { Duration } from 'luxon'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createDueDate } from '../../src/schedule/due-date.js'

// 2026-09-30 10:00 in Shanghai, the day before the National Day holiday (1–7 October 2026).
const verified = new Date('2026-09-30T02:00:00Z')

describe('due dates', () => {
  it('calendar: verification plus the window', () => {
    expect(createDueDate(Duration.fromISO('P15D'), 'calendar')(verified).toISOString()).toBe('2026-10-15T02:00:00.000Z')
  })

  it('working days skip weekends and official holidays and count make-up working days', () => {
    const due = createDueDate(Duration.fromISO('P3D'), 'working')
    // 1–7 Oct off; 8 (Thu) and 9 (Fri) work; Saturday 10 Oct is a make-up working day (调休).
    expect(due(verified).toISOString()).toBe('2026-10-10T02:00:00.000Z')
    // 15 working days from there: 8, 9, 10 Oct, then 12–16, 19–23, 26–27 Oct.
    expect(createDueDate(Duration.fromISO('P15D'), 'working')(verified).toISOString()).toBe('2026-10-27T02:00:00.000Z')
  })

  it('RESPONSE_DAYS=working needs a window of whole days', () => {
    expect(loadConfig({ RESPONSE_DAYS: 'working' }).responseDays).toBe('working')
    expect(() => loadConfig({ RESPONSE_DAYS: 'working', RESPONSE_WINDOW: 'PT10S' })).toThrow(/RESPONSE_WINDOW/)
    expect(() => loadConfig({ RESPONSE_DAYS: 'weekdays' })).toThrow(/RESPONSE_DAYS/)
  })
})
