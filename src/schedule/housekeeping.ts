import type { Duration } from 'luxon'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import type { RequestRepository } from '../requests/repository.js'
import type { Scheduler } from './scheduler.js'

export interface HousekeepingDeps {
  readonly requests: RequestRepository
  /** Drops conversations idle since before the cutoff (the storage layer's ConversationStore). */
  readonly conversations: { deleteIdleSince(cutoff: Date): Promise<number> }
  readonly scheduler: Scheduler
  readonly clock: Clock
  readonly logger: Logger
  readonly retention: Duration
  readonly conversationTimeoutMs: number
  /** Questions the policy could not answer, kept for `unansweredRetention`. */
  readonly unanswered?: { purgeBefore(cutoff: Date): Promise<number> }
  readonly unansweredRetention?: Duration
}

/**
 * Data minimisation on a timer: purges personal data of requests closed longer than the retention
 * (keeping the anonymised record and its audit), and drops abandoned half-finished conversations,
 * which hold names and contacts, and days of unanswered questions past their retention. Runs at
 * start and then every few minutes.
 */
export function startHousekeeping(deps: HousekeepingDeps): { runOnce(): Promise<void>; stop(): void } {
  const runOnce = async (): Promise<void> => {
    const now = deps.clock.now()
    const purged = await deps.requests.purgeExpired(now, deps.retention)
    const dropped = await deps.conversations.deleteIdleSince(new Date(now.getTime() - deps.conversationTimeoutMs))
    const unansweredDays =
      deps.unanswered && deps.unansweredRetention ? await deps.unanswered.purgeBefore(new Date(now.getTime() - deps.unansweredRetention.toMillis())) : 0
    if (purged || dropped || unansweredDays) deps.logger.info({ event: 'housekeeping', purged, conversationsExpired: dropped, unansweredDays })
  }
  const every = 5 * 60_000
  const plan = (): void => {
    deps.scheduler.at('housekeeping', new Date(deps.clock.now().getTime() + every), async () => {
      plan()
      await runOnce()
    })
  }
  plan()
  return { runOnce, stop: () => deps.scheduler.cancel('housekeeping') }
}
