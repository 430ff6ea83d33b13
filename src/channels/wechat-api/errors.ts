/**
 * Typed failures of WeChat's server API. Messages name the operation and the error code only:
 * never the OpenID, the message, the AppSecret or the access_token (the URL carries the token, so
 * no URL appears either).
 */

/** The API operations the client performs, for logs and errors. */
export type WechatOperation = 'token' | 'custom-send' | 'template-send'

/** errcodes meaning "this access_token is no good": refetch it and try once more. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 42001, 40014])

/** -1 "system busy": WeChat asks callers to try again later. */
export const BUSY_ERRCODE = -1

/**
 * The 48-hour customer-service window is closed (45015: no user message for 48 h, or unsubscribed),
 * the count limit in the window is used up (45047), or the user does not follow the account (43004).
 * Only the user's next message reopens it.
 */
export const WINDOW_CLOSED_ERRCODES: ReadonlySet<number> = new Set([45015, 45047, 43004])

/**
 * Credential and set-up problems on the token endpoint (invalid AppID/AppSecret, server IP not on the
 * allow-list): an operator must fix them, after which queued messages should still go out.
 */
export const CREDENTIAL_ERRCODES: ReadonlySet<number> = new Set([40013, 40125, 40164, 41002, 41004, 89503])

/** WeChat answered with a non-zero errcode (after the retries that code allows). */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError'
  constructor(
    readonly operation: WechatOperation,
    readonly errcode: number,
    /** WeChat's own text (e.g. "invalid appsecret rid: …"); for operators, not for users. */
    readonly errmsg: string,
    readonly attempts = 1,
  ) {
    super(`WeChat API ${operation} failed with errcode ${errcode} after ${attempts} attempt(s)`)
  }

  /** True when retrying later may succeed (system busy, credentials refused at this moment). */
  get retryable(): boolean {
    return this.errcode === BUSY_ERRCODE || TOKEN_ERRCODES.has(this.errcode) || CREDENTIAL_ERRCODES.has(this.errcode)
  }
}

/** Why a request never produced a usable WeChat answer. */
export type NetworkFailure = 'network' | 'timeout' | 'http-status' | 'bad-body'

/** No usable answer from WeChat: connection failure, timeout, HTTP error status or a body that is not JSON. */
export class WechatNetworkError extends Error {
  override readonly name = 'WechatNetworkError'
  constructor(
    readonly operation: WechatOperation,
    readonly reason: NetworkFailure,
    readonly attempts: number,
    /** HTTP status, when there was a response. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`WeChat API ${operation} failed: ${reason}${status === undefined ? '' : ` (HTTP ${status})`} after ${attempts} attempt(s)`, options)
  }

  /** 4xx other than 429 will not get better by retrying the same request. */
  get retryable(): boolean {
    return this.reason !== 'http-status' || this.status === undefined || this.status >= 500 || this.status === 429
  }
}
