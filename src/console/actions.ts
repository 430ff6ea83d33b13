import type { StaffActions, StaffActor } from '../assistant/staff/actions.js'
import type { ActionOutcome } from '../assistant/staff/outcome.js'
import { StaffCommandError, staffText } from '../assistant/staff/parse.js'
import * as texts from '../assistant/staff/texts.js'
import { RequestNotFoundError } from '../requests/errors.js'
import type { RightsRequest } from '../requests/model.js'

export type Action = 'verify' | 'reply' | 'close' | 'reject'
export const ACTIONS: ReadonlySet<string> = new Set<Action>(['verify', 'reply', 'close', 'reject'])

/** What an action did, shown once on the request page it redirects to. */
export interface Flash {
  readonly id: string
  readonly done: boolean
  readonly lines: readonly string[]
}

/**
 * Runs a staff action from a console form as the chat command does, and words its outcome the same
 * way; undefined when there is no such request.
 */
export async function runAction(actions: StaffActions, action: Action, id: string, form: URLSearchParams, actor: StaffActor, now: Date): Promise<Flash | undefined> {
  const refuse = (line: string): Flash => ({ id, done: false, lines: [line] })
  // The same checks as the chat commands' text: required where the command requires it, never too long.
  const text = (name: string, required: boolean): string | undefined => staffText(form.get(name) ?? '', required)
  try {
    let outcome: ActionOutcome
    if (action === 'verify') outcome = await actions.verify(id, actor, now)
    else if (action === 'reply') {
      outcome = await actions.reply(id, actor, text('text', true)!, now)
      if (!outcome.done) return refuse(texts.cannotReply(outcome.request))
    } else if (action === 'close') outcome = await actions.close(id, actor, text('note', false), now)
    else outcome = await actions.reject(id, actor, text('reason', true)!, now)
    if (!outcome.done) return refuse(texts.refusal(outcome))
    return { id, done: true, lines: [doneNote(action, outcome.request), texts.deliveryNote(outcome.delivery)] }
  } catch (err) {
    if (err instanceof StaffCommandError) return refuse(texts.COMMAND_ERRORS[err.code])
    if (err instanceof RequestNotFoundError) return undefined
    throw err
  }
}

function doneNote(action: Action, r: RightsRequest): string {
  if (action === 'verify') return texts.verifiedNote(r)
  if (action === 'reply') return texts.repliedNote(r)
  if (action === 'close') return texts.closedNote(r)
  return texts.rejectedNote(r)
}
