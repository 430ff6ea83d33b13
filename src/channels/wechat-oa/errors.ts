/**
 * Typed failures of the WeChat door. The HTTP error boundary turns them into a status code and
 * a short plain-text body; `reason` is for the log only and never reaches the client.
 */

/** HTTP statuses the door answers with when it refuses a request. */
export type WechatProtocolStatus = 400 | 401 | 413

/** A request the door refuses: forged, stale, malformed, hostile or too large. */
export class WechatProtocolError extends Error {
  constructor(
    readonly status: WechatProtocolStatus,
    /** Short machine-readable reason for the log, e.g. `bad-signature`, `doctype-refused`. */
    readonly reason: string,
  ) {
    super(`WeChat request refused (${status}): ${reason}`)
    this.name = 'WechatProtocolError'
  }
}

/** 400: the body is not a WeChat message we can read (malformed XML, DOCTYPE, bad cipher text). */
export const malformed = (reason: string): WechatProtocolError => new WechatProtocolError(400, reason)

/** 401: the request is not proven to come from WeChat (signature, timestamp, AppID). */
export const unauthorized = (reason: string): WechatProtocolError => new WechatProtocolError(401, reason)

/** 413: the body is over the size limit. */
export const tooLarge = (reason: string): WechatProtocolError => new WechatProtocolError(413, reason)

/**
 * An error for the log: its name and up to five stack frames, never its message (which might
 * quote what the user wrote). V8 stacks start with "Name: message"; that exact prefix is cut off
 * (a message may span lines), and a stack not starting with it is dropped altogether.
 */
export function errorSummary(error: unknown): { errorName: string; code?: string; frames?: string } {
  if (!(error instanceof Error)) return { errorName: typeof error }
  // An errno code (ENOSPC, EACCES, …) says what went wrong without saying anything about the data.
  const raw = (error as { code?: unknown }).code
  const code = typeof raw === 'string' ? raw : undefined
  const stack = error.stack ?? ''
  const head = error.message === '' ? error.name : `${error.name}: ${error.message}`
  if (!stack.startsWith(head)) return { errorName: error.name, ...(code ? { code } : {}) }
  const frames = stack
    .slice(head.length)
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 5)
    .join('\n')
  return { errorName: error.name, ...(code ? { code } : {}), frames }
}
