import type { Logger } from '../../log.js'
import { OPEN_STATES, type RightsRequest } from '../../requests/model.js'
import { RequestNotFoundError } from '../../requests/errors.js'
import type { TurnContext, TurnHandler } from '../turn.js'
import { clipReply } from '../../reply-size.js'
import type { Incoming, Reply } from '../types.js'
import { createStaffActions, type StaffActionDeps, type StaffActor } from './actions.js'
import type { ActionOutcome } from './outcome.js'
import type { ConsoleLinks } from './console-link.js'
import { isConsoleWord, looksLikeCommand, parseStaffCommand, StaffCommandError, type StaffCommand } from './parse.js'
import * as texts from './texts.js'
import { detailView, isOverdue, listLine } from './views.js'

export interface StaffDeps extends StaffActionDeps {
  readonly isStaff: (incoming: Incoming) => boolean
  /** Sign-in links to the web console (`/console`, 控制台); without it staff are told the console is off. */
  readonly consoleLinks?: ConsoleLinks
}

const MAX_LIST_LINES = 25

/**
 * Staff commands (`/help`, `/list`, `/show`, `/verify`, `/reply`, `/close`, `/reject`, `/console`) over the staff
 * actions. Anyone not on the staff list who types one gets the same answer as an unknown command:
 * nothing about any request.
 */
export function createStaffCommands(deps: StaffDeps): TurnHandler {
  const { requests, logger } = deps
  const actions = createStaffActions(deps)
  const say = (text: string): Reply => ({ text: clipReply(text) })

  /** The action's result for staff: what happened and how the requester was told, or why nothing happened. */
  function outcome(result: ActionOutcome, done: (r: RightsRequest) => string[]): Reply {
    if (!result.done) return say(texts.refusal(result))
    const [head = '', ...tail] = done(result.request)
    return say([head, texts.deliveryNote(result.delivery), ...tail].join('\n'))
  }

  async function run(ctx: TurnContext, cmd: StaffCommand, actor: StaffActor): Promise<Reply> {
    if (cmd.name === 'help') return say(texts.STAFF_HELP)
    if (cmd.name === 'console') {
      if (!deps.consoleLinks) return say(texts.CONSOLE_OFF)
      const link = await deps.consoleLinks.issue(actor, ctx.now)
      // The link is a credential: it goes to the staff member only, never to the log.
      logger.info({ event: 'console.link_requested', issued: 'url' in link })
      return say('url' in link ? texts.consoleLink(link.url, link.expiresAt, ctx.now) : texts.CONSOLE_TOO_MANY)
    }
    if (cmd.name === 'list') return say(await list(cmd.filter, ctx.now))
    switch (cmd.name) {
      case 'show': {
        const r = await requests.get(cmd.id)
        return say(r ? detailView(r, ctx.now) : texts.noSuchRequest(cmd.id))
      }
      case 'verify':
        return outcome(await actions.verify(cmd.id, actor, ctx.now), (r) => [texts.verifiedNote(r)])
      case 'reply': {
        const result = await actions.reply(cmd.id, actor, cmd.text, ctx.now)
        if (!result.done) return say(texts.cannotReply(result.request))
        return outcome(result, (r) => [texts.repliedNote(r), texts.closeHint(r)])
      }
      case 'close':
        return outcome(await actions.close(cmd.id, actor, cmd.note, ctx.now), (r) => [texts.closedNote(r)])
      case 'reject':
        return outcome(await actions.reject(cmd.id, actor, cmd.text, ctx.now), (r) => [texts.rejectedNote(r)])
    }
  }

  async function list(filter: Extract<StaffCommand, { name: 'list' }>['filter'], now: Date): Promise<string> {
    const all = await requests.list()
    const chosen = all.filter((r) => {
      if (r.type === 'marketing-opt-out' && filter !== 'all') return false
      if (filter === 'open') return OPEN_STATES.has(r.state)
      if (filter === 'overdue') return isOverdue(r, now)
      if (filter === 'all') return true
      return r.state === filter
    })
    // Soonest due first; requests not yet verified (no due date) after them, oldest first.
    chosen.sort((a, b) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') || a.createdAt.localeCompare(b.createdAt))
    if (chosen.length === 0) return texts.noRequests(filter)
    const shown = chosen.slice(0, MAX_LIST_LINES).map((r) => listLine(r, now))
    const more = chosen.length > MAX_LIST_LINES ? [texts.moreNotShown(chosen.length - MAX_LIST_LINES)] : []
    return [texts.listHeader(filter, chosen.length), ...shown, ...more].join('\n')
  }

  return async (ctx) => {
    const consoleWord = isConsoleWord(ctx.text)
    if (!looksLikeCommand(ctx.text) && !consoleWord) return undefined
    if (!deps.isStaff(ctx.incoming)) {
      // 控制台 from anyone else is ordinary text: nothing tells them a console exists.
      if (consoleWord) return undefined
      logger.info({ event: 'staff.denied' })
      return say(texts.notACommand(ctx.lang))
    }
    const actor: StaffActor = `staff:${ctx.incoming.userId}`
    try {
      // Parse the text as typed, so a reply keeps its own punctuation; only the slash may be full-width.
      const cmd: StaffCommand = consoleWord ? { name: 'console' } : parseStaffCommand(ctx.rawText.replace(/^／/, '/'))
      return await run(ctx, cmd, actor)
    } catch (err) {
      if (err instanceof StaffCommandError) return say(`${texts.COMMAND_ERRORS[err.code]}${err.code === 'unknown' ? `\n\n${texts.STAFF_HELP}` : ''}`)
      if (err instanceof RequestNotFoundError) return say(texts.noSuchRequest(err.requestId))
      throw err
    }
  }
}
