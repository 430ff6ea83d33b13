import chineseDays from 'chinese-days'
import { DateTime, type Duration } from 'luxon'
import type { Logger } from '../log.js'
import { BUSINESS_ZONE } from '../requests/ids.js'

/** How the response window is counted: calendar time, or working days of mainland China. */
export type ResponseDays = 'calendar' | 'working'

/** When a request verified at `verifiedAt` is due. */
export type DueDate = (verifiedAt: Date) => Date

/**
 * The due-date rule. Calendar: verification time plus the window (in Asia/Shanghai, so "P15D" is 15
 * calendar days). Working: the window's whole days counted as working days after the day of
 * verification — weekends and official holidays skipped, make-up working days (调休) counted — at the
 * same time of day. Holiday data comes from the `chinese-days` package, which follows the State
 * Council's yearly schedule; a year it does not know yet counts weekdays only, and we warn.
 */
export function createDueDate(window: Duration, mode: ResponseDays, logger?: Logger): DueDate {
  if (mode === 'calendar') return (verifiedAt) => DateTime.fromJSDate(verifiedAt, { zone: BUSINESS_ZONE }).plus(window).toJSDate()
  const days = window.shiftTo('days').days
  return (verifiedAt) => {
    let day = DateTime.fromJSDate(verifiedAt, { zone: BUSINESS_ZONE })
    warnIfScheduleUnknown(day.year + 1, logger)
    for (let counted = 0; counted < days; ) {
      day = day.plus({ days: 1 })
      if (chineseDays.isWorkday(day.toFormat('yyyy-MM-dd'))) counted++
    }
    return day.toJSDate()
  }
}

const warned = new Set<number>()

/** New Year's Day is a holiday every year: if the data calls it a working day, that year is not in it. */
function warnIfScheduleUnknown(year: number, logger?: Logger): void {
  if (warned.has(year) || !logger) return
  warned.add(year)
  if (chineseDays.isWorkday(`${year}-01-01`)) {
    logger.warn({ event: 'due_date.holidays_unknown', year }, 'holiday schedule for this year is not in chinese-days yet: weekdays only; update the package')
  }
}
