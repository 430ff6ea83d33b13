import { parseRequestId } from '../../requests/ids.js'
import { REQUEST_STATES, type RequestState } from '../../requests/model.js'

/** Longest free text a staff command accepts (a reply must still fit one WeChat message with its header). */
export const MAX_STAFF_TEXT = 1500

export type StaffCommand =
  | { readonly name: 'help' | 'console' }
  | { readonly name: 'list'; readonly filter: RequestState | 'open' | 'all' | 'overdue' }
  | { readonly name: 'show' | 'verify'; readonly id: string }
  | { readonly name: 'reply' | 'reject'; readonly id: string; readonly text: string }
  | { readonly name: 'close'; readonly id: string; readonly note?: string }

export class StaffCommandError extends Error {
  constructor(
    readonly code: 'unknown' | 'missing-id' | 'bad-id' | 'missing-text' | 'too-long' | 'bad-filter',
    readonly detail = '',
  ) {
    super(`${code}${detail ? `: ${detail}` : ''}`)
    this.name = 'StaffCommandError'
  }
}

/** True for anything shaped like a command ("/list", "／list" is normalised earlier). */
export const looksLikeCommand = (text: string): boolean => /^\/[A-Za-z]/.test(text.trim())

/** 控制台 ("console") alone asks for a console link; from anyone but staff it is ordinary text. */
export const isConsoleWord = (text: string): boolean => text.trim() === '控制台'

const FILTERS = new Set<string>([...REQUEST_STATES, 'open', 'all', 'overdue'])

function idArg(raw: string | undefined): string {
  if (!raw) throw new StaffCommandError('missing-id')
  const id = parseRequestId(raw)
  if (!id) throw new StaffCommandError('bad-id', raw.slice(0, 40))
  return id
}

/** A reply, note or reason as staff typed it, trimmed; throws StaffCommandError when required and empty, or too long. */
export function staffText(raw: string, required: boolean): string | undefined {
  const t = raw.trim()
  if (!t) {
    if (required) throw new StaffCommandError('missing-text')
    return undefined
  }
  if (t.length > MAX_STAFF_TEXT) throw new StaffCommandError('too-long', String(MAX_STAFF_TEXT))
  return t
}

/** Parses `/verb [ID] [text]`; throws StaffCommandError with a code the caller turns into a message. */
export function parseStaffCommand(input: string): StaffCommand {
  const m = /^\/([A-Za-z]+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(input.trim())
  if (!m) throw new StaffCommandError('unknown')
  const verb = (m[1] ?? '').toLowerCase()
  const first = m[2]
  const rest = m[3] ?? ''
  switch (verb) {
    case 'help':
      return { name: 'help' }
    case 'console':
      return { name: 'console' }
    case 'list': {
      const filter = (first ?? 'open').toLowerCase()
      if (!FILTERS.has(filter)) throw new StaffCommandError('bad-filter', filter.slice(0, 20))
      return { name: 'list', filter: filter as RequestState | 'open' | 'all' | 'overdue' }
    }
    case 'show':
    case 'verify':
      return { name: verb, id: idArg(first) }
    case 'reply':
    case 'reject':
      return { name: verb, id: idArg(first), text: staffText(rest, true)! }
    case 'close':
      return { name: 'close', id: idArg(first), note: staffText(rest, false) }
    default:
      throw new StaffCommandError('unknown', verb.slice(0, 20))
  }
}
