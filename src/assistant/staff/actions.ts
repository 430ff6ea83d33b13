import type { Logger } from '../../log.js'
import type { AuditVia, RightsRequest } from '../../requests/model.js'
import { isFinal } from '../../requests/records.js'
import type { RequestRepository } from '../../requests/repository.js'
import { RequestNotFoundError } from '../../requests/errors.js'
import { shanghaiDate } from '../../dates.js'
import type { Notifier } from '../notifier.js'
import type { ActionOutcome } from './outcome.js'
import * as texts from './texts.js'

/** Who acts: a staff member on a channel, e.g. "staff:oAbc…". */
export type StaffActor = `staff:${string}`


export interface StaffActionDeps {
  readonly requests: RequestRepository
  readonly notifier: Notifier
  readonly logger: Logger
  /** When a request verified now is due (RESPONSE_WINDOW, counted as RESPONSE_DAYS says). */
  readonly dueDate: (verifiedAt: Date) => Date
  /** Told about every change an action makes (the scheduler listens here). */
  readonly onChange?: (request: RightsRequest) => Promise<void> | void
  /** The door these actions are taken through, when not the chat: marked on every audit entry. */
  readonly via?: AuditVia
}

/** The four things staff do to a request, whatever door they use (chat commands, a console). */
export interface StaffActions {
  verify(id: string, actor: StaffActor, now: Date): Promise<ActionOutcome>
  reply(id: string, actor: StaffActor, text: string, now: Date): Promise<ActionOutcome>
  close(id: string, actor: StaffActor, note: string | undefined, now: Date): Promise<ActionOutcome>
  reject(id: string, actor: StaffActor, reason: string, now: Date): Promise<ActionOutcome>
}

/**
 * Staff actions: each changes the request with its audit entry, tells the scheduler, and tells the
 * requester, returning how that message was delivered so staff hear the truth. Throws
 * RequestNotFoundError for an unknown id.
 */
export function createStaffActions(deps: StaffActionDeps): StaffActions {
  const { requests, notifier, logger } = deps
  const via = deps.via ? { via: deps.via } : {}

  async function load(id: string): Promise<RightsRequest> {
    const current = await requests.get(id)
    if (!current) throw new RequestNotFoundError(id)
    return current
  }

  /** Tells the scheduler and the requester about a change; logs it by id and outcome only. */
  async function announce(r: RightsRequest, text: string, status: string): Promise<ActionOutcome> {
    await deps.onChange?.(r)
    const delivery = await notifier.notify({ channel: r.channel, userId: r.userId }, text, {
      template: { title: text.split('\n')[0] ?? '', requestId: r.id, status },
    })
    logger.info({ event: `request.${status}`, id: r.id, delivery, ...via })
    return { done: true, request: r, delivery }
  }

  return {
    async verify(id, actor, now) {
      const current = await load(id)
      if (current.kind === 'inquiry') return { done: false, request: current, refused: 'inquiry-needs-no-verification' }
      if (current.state !== 'submitted') return { done: false, request: current, refused: 'not-awaiting-verification' }
      const dueAt = deps.dueDate(now).toISOString()
      const r = await requests.update(id, { state: 'verified', verifiedAt: now.toISOString(), dueAt }, { actor, action: 'verified', ...via })
      return announce(r, texts.toRequesterVerified(r, shanghaiDate(dueAt)), 'verified')
    },
    async reply(id, actor, text, now) {
      const current = await load(id)
      if (isFinal(current)) return { done: false, request: current, refused: 'final' }
      const at = now.toISOString()
      const r = await requests.update(
        id,
        (draft) => {
          draft.replies.push({ at, by: actor, text })
          if (draft.state === 'verified' || draft.kind === 'inquiry') draft.state = 'replied'
        },
        { actor, action: 'replied', ...via },
      )
      return announce(r, texts.toRequesterReply(r, text), 'replied')
    },
    async close(id, actor, note, now) {
      const current = await load(id)
      if (isFinal(current)) return { done: false, request: current, refused: 'final' }
      const r = await requests.update(id, { state: 'closed', closedAt: now.toISOString() }, { actor, action: 'closed', note, ...via })
      return announce(r, texts.toRequesterClosed(r), 'closed')
    },
    async reject(id, actor, reason, now) {
      const current = await load(id)
      if (isFinal(current)) return { done: false, request: current, refused: 'final' }
      const r = await requests.update(id, { state: 'rejected', closedAt: now.toISOString() }, { actor, action: 'rejected', note: reason, ...via })
      return announce(r, texts.toRequesterRejected(r, reason), 'rejected')
    },
  }
}
