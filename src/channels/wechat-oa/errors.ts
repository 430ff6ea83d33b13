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
