import { DateTime } from 'luxon'
import { BUSINESS_ZONE } from './requests/ids.js'

/** A calendar date in the business's zone (Asia/Shanghai), as people there read it: YYYY-MM-DD. */
export function shanghaiDate(iso: string | Date): string {
  const dt = typeof iso === 'string' ? DateTime.fromISO(iso) : DateTime.fromJSDate(iso)
  return dt.setZone(BUSINESS_ZONE).toFormat('yyyy-MM-dd')
}

/** Date and minute in Asia/Shanghai, for staff views. */
export function shanghaiDateTime(iso: string | Date): string {
  const dt = typeof iso === 'string' ? DateTime.fromISO(iso) : DateTime.fromJSDate(iso)
  return dt.setZone(BUSINESS_ZONE).toFormat('yyyy-MM-dd HH:mm')
}
