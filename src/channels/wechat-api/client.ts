import { setTimeout as sleep } from 'node:timers/promises'
import type { Clock } from '../../clock.js'
import { userTag, type Logger } from '../../log.js'
import { BUSY_ERRCODE, TOKEN_ERRCODES, WechatApiError, WechatNetworkError, type NetworkFailure, type WechatOperation } from './errors.js'
import { TokenCache, type FetchedToken } from './token-cache.js'

/** How often to try a request that failed for a transient reason, and how long to wait in between. */
export interface ApiRetryPolicy {
  /** Total attempts, including the first. */
  readonly attempts: number
  /** Delay before the second attempt; doubles for each further one. */
  readonly baseDelayMs: number
}

/** Constructor options of {@link WechatApiClient}. */
export interface WechatApiClientOptions {
  /** e.g. https://api.weixin.qq.com (no trailing slash needed). */
  readonly apiBase: string
  readonly appId: string
  readonly appSecret: string
  /** Decides when the cached access_token is due for a refresh. */
  readonly clock: Clock
  readonly logger: Logger
  readonly fetch?: typeof fetch
  /** Per-request timeout; default 5000 ms. */
  readonly timeoutMs?: number
  /** Default 3 attempts, 200 ms base delay. */
  readonly retries?: ApiRetryPolicy
  /** Refresh the token this long before WeChat's expires_in runs out; default 5 minutes. */
  readonly tokenMarginMs?: number
}

type Json = Record<string, unknown>

/** A failure worth another attempt; becomes a WechatNetworkError when the attempts run out. */
class TransientFailure extends Error {
  constructor(
    readonly reason: NetworkFailure,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(reason, options)
  }
}

const errcodeOf = (body: Json): number => (typeof body.errcode === 'number' ? body.errcode : 0)
const errmsgOf = (body: Json): string => (typeof body.errmsg === 'string' ? body.errmsg : '')

/**
 * WeChat Official Account server API: customer-service text messages and template messages.
 *
 * The access_token is fetched on the first send (never at construction) from WeChat's stable_token
 * endpoint in normal mode, which hands every replica sharing the AppID the same token; it is cached
 * until `expires_in` minus a margin, and refreshed by one request at a time (see TokenCache for
 * when a refused token leads to a forced refresh). Transient failures
 * (network, timeout, HTTP 5xx, a body that is not JSON, errcode -1) are retried with exponential
 * backoff; business errors (45015, 40003, …) are thrown at once as WechatApiError.
 *
 * A retried send whose first attempt reached WeChat but whose answer was lost can be delivered
 * twice: WeChat offers no idempotency key, and a duplicate is better than a lost reply.
 */
export class WechatApiClient {
  /** For senders built on this client, so they log to the same place. */
  readonly logger: Logger
  readonly #options: WechatApiClientOptions
  readonly #fetch: typeof fetch
  readonly #timeoutMs: number
  readonly #retries: ApiRetryPolicy
  readonly #tokens: TokenCache
  readonly #apiBase: string

  constructor(options: WechatApiClientOptions) {
    this.#options = options
    this.logger = options.logger
    this.#fetch = options.fetch ?? fetch
    this.#timeoutMs = options.timeoutMs ?? 5000
    this.#retries = options.retries ?? { attempts: 3, baseDelayMs: 200 }
    this.#apiBase = options.apiBase.replace(/\/+$/, '')
    this.#tokens = new TokenCache((forceRefresh) => this.#fetchToken(forceRefresh), options.clock, options.tokenMarginMs)
  }

  /** Sends a customer-service text message (allowed within 48 hours of the user's last message). */
  async sendText(openId: string, content: string): Promise<void> {
    await this.#send('custom-send', '/cgi-bin/message/custom/send', openId, { touser: openId, msgtype: 'text', text: { content } })
  }

  /**
   * Sends a template message (reaches followers outside the 48-hour window). `data` maps the
   * template's keys to their values. Resolves with WeChat's msgid when it returns one.
   */
  async sendTemplate(openId: string, templateId: string, data: Readonly<Record<string, string>>, url?: string): Promise<{ msgid?: string }> {
    const body: Json = {
      touser: openId,
      template_id: templateId,
      ...(url === undefined ? {} : { url }),
      data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, { value }])),
    }
    const answer = await this.#send('template-send', '/cgi-bin/message/template/send', openId, body)
    const msgid = answer.msgid
    return typeof msgid === 'number' || typeof msgid === 'string' ? { msgid: String(msgid) } : {}
  }

  async #send(operation: WechatOperation, path: string, openId: string, body: Json): Promise<Json> {
    const user = userTag(openId)
    const payload = JSON.stringify(body)
    let renewed = false
    for (;;) {
      const token = await this.#tokens.get()
      const url = `${this.#apiBase}${path}?access_token=${encodeURIComponent(token)}`
      const answer = await this.#withRetries(operation, user, () =>
        this.#request(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: payload }),
      )
      const errcode = errcodeOf(answer.body)
      if (errcode === 0) {
        this.logger.debug({ event: 'wechat-api.sent', operation, user, attempts: answer.attempts })
        return answer.body
      }
      if (TOKEN_ERRCODES.has(errcode) && !renewed) {
        // The token expired early or another process forced a new one: refetch once, retry once.
        renewed = true
        this.#tokens.invalidate(token)
        this.logger.warn({ event: 'wechat-api.token-refused', operation, errcode })
        continue
      }
      this.logger.warn({ event: 'wechat-api.error', operation, user, errcode, attempts: answer.attempts })
      throw new WechatApiError(operation, errcode, errmsgOf(answer.body), answer.attempts)
    }
  }

  /**
   * POST /cgi-bin/stable_token. Normal mode answers the account's current token (a new one only in
   * its last 5 minutes); `forceRefresh` makes WeChat issue a new one and refuse the previous at once.
   */
  async #fetchToken(forceRefresh: boolean): Promise<FetchedToken> {
    const { appId, appSecret } = this.#options
    const payload = JSON.stringify({ grant_type: 'client_credential', appid: appId, secret: appSecret, force_refresh: forceRefresh })
    const mode = forceRefresh ? { forceRefresh } : {}
    const answer = await this.#withRetries('token', undefined, () =>
      this.#request(`${this.#apiBase}/cgi-bin/stable_token`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: payload }),
    )
    const { body } = answer
    const errcode = errcodeOf(body)
    if (errcode !== 0) {
      // errmsg here is about our credentials or server IP, never about a user: operators need it.
      this.logger.error({ event: 'wechat-api.token-failed', ...mode, errcode, errmsg: errmsgOf(body), attempts: answer.attempts })
      throw new WechatApiError('token', errcode, errmsgOf(body), answer.attempts)
    }
    const token = body.access_token
    const expiresIn = body.expires_in
    if (typeof token !== 'string' || token === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      this.logger.error({ event: 'wechat-api.token-failed', ...mode, reason: 'bad-body' })
      throw new WechatNetworkError('token', 'bad-body', answer.attempts)
    }
    this.logger.info({ event: 'wechat-api.token-fetched', ...mode, expiresIn, attempts: answer.attempts })
    return { token, expiresInSeconds: expiresIn }
  }

  /** Runs `attempt` until it gives a usable answer; errcode -1 and TransientFailure are retried. */
  async #withRetries(operation: WechatOperation, user: string | undefined, attempt: () => Promise<Json>): Promise<{ body: Json; attempts: number }> {
    const attempts = Math.max(1, this.#retries.attempts)
    let last: { busy: Json } | { failure: TransientFailure } = { failure: new TransientFailure('network') }
    for (let n = 1; n <= attempts; n++) {
      try {
        const body = await attempt()
        if (errcodeOf(body) !== BUSY_ERRCODE) return { body, attempts: n }
        last = { busy: body }
      } catch (e) {
        if (!(e instanceof TransientFailure)) throw e
        last = { failure: e }
      }
      const reason = 'busy' in last ? 'busy' : last.failure.reason
      if (n < attempts) {
        const delayMs = this.#retries.baseDelayMs * 2 ** (n - 1)
        this.logger.warn({ event: 'wechat-api.retry', operation, user, attempt: n, reason, delayMs })
        await sleep(delayMs)
      }
    }
    if ('busy' in last) {
      this.logger.warn({ event: 'wechat-api.error', operation, user, errcode: BUSY_ERRCODE, attempts })
      throw new WechatApiError(operation, BUSY_ERRCODE, errmsgOf(last.busy), attempts)
    }
    const { reason, status } = last.failure
    this.logger.warn({ event: 'wechat-api.failed', operation, user, reason, status, attempts })
    throw new WechatNetworkError(operation, reason, attempts, status, { cause: last.failure.cause })
  }

  /** One HTTP exchange: a JSON object, or a TransientFailure / non-retryable WechatNetworkError. */
  async #request(url: string, init: RequestInit): Promise<Json> {
    const signal = AbortSignal.timeout(this.#timeoutMs)
    let response: Response
    let text: string
    try {
      response = await this.#fetch(url, { ...init, signal })
      text = await response.text()
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new TransientFailure(timedOut ? 'timeout' : 'network', undefined, { cause: e })
    }
    if (response.status >= 500 || response.status === 429) throw new TransientFailure('http-status', response.status)
    if (!response.ok) throw new WechatNetworkError(operationOf(url), 'http-status', 1, response.status)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (e) {
      throw new TransientFailure('bad-body', response.status, { cause: e })
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TransientFailure('bad-body', response.status)
    return body as Json
  }
}

function operationOf(url: string): WechatOperation {
  if (url.includes('/message/template/')) return 'template-send'
  if (url.includes('/message/custom/')) return 'custom-send'
  return 'token'
}
