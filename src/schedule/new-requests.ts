import { errorSummary, type Logger } from '../log.js'
import { OPEN_STATES, type RightsRequest } from '../requests/model.js'
import type { RequestRepository } from '../requests/repository.js'
import type { StaffNoticeTexts } from '../assistant/notifier.js'
import type { StaffChannel } from './deadlines.js'

export interface NewRequestNoticeDeps {
  readonly staff: StaffChannel
  readonly logger: Logger
  readonly texts: Pick<StaffNoticeTexts, 'newRequest'>
}

/** A marketing opt-out is filed already closed (it takes effect at once): staff have nothing to do. */
const needsStaff = (r: RightsRequest): boolean => OPEN_STATES.has(r.state)

/**
 * The repository the rights conversation files through, telling staff at once about every new open
 * request or inquiry (id, kind and state; never personal data). Staff otherwise learn of it only
 * from /list or the 09:00 digest. The notice goes out only after `create` has stored the request
 * durably, and is not awaited: the person's answer must neither wait for nor fail with a message to
 * staff. The outbox behind `staff` keeps it once handed over; a failure to hand it over is logged.
 */
export function announceNewRequests(requests: RequestRepository, deps: NewRequestNoticeDeps): RequestRepository {
  const { staff, logger, texts } = deps

  function announce(r: RightsRequest): void {
    if (!needsStaff(r)) return
    const notice = async (): Promise<void> => {
      await staff.toStaff(texts.newRequest(r))
      logger.info({ event: 'staff.new_request_notice', id: r.id, kind: r.kind })
    }
    notice().catch((err: unknown) => logger.error({ event: 'staff.new_request_notice_failed', id: r.id, ...errorSummary(err) }))
  }

  return {
    async create(input, audit) {
      const r = await requests.create(input, audit)
      announce(r)
      return r
    },
    get: (id) => requests.get(id),
    listByUser: (channel, userId) => requests.listByUser(channel, userId),
    list: (filter) => requests.list(filter),
    update: (id, change, audit) => requests.update(id, change, audit),
    countOpenByUser: (channel, userId) => requests.countOpenByUser(channel, userId),
    purgeExpired: (now, retention) => requests.purgeExpired(now, retention),
    close: () => requests.close(),
  }
}
