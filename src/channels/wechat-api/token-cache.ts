import type { Clock } from '../../clock.js'
import { WechatApiError } from './errors.js'

/** What the token endpoint returned. */
export interface FetchedToken {
  readonly token: string
  readonly expiresInSeconds: number
}

/**
 * Fetches a token from WeChat's stable_token endpoint: in normal mode (`forceRefresh` false) the
 * token every holder shares, in forced mode a new one that invalidates the previous at once.
 */
export type TokenFetcher = (forceRefresh: boolean) => Promise<FetchedToken>

/**
 * In normal mode WeChat hands out a new stable token in the last 5 minutes of the current one's
 * life, while the old one keeps working until it expires: refreshing this early picks up the new
 * token with no gap.
 */
export const DEFAULT_TOKEN_MARGIN_MS = 5 * 60_000

/**
 * One access_token for the process, fetched lazily and refreshed shortly before it expires.
 *
 * Tokens come from stable_token in normal mode, which gives every process the same token, so
 * processes sharing an AppID never invalidate each other's. Concurrent callers share a single
 * refresh (single-flight) rather than each asking WeChat.
 *
 * After WeChat refused a token, the refresh asks in normal mode first: when another process forced
 * a new token, that one comes back. Only when normal mode hands back the very token just refused
 * is a forced refresh made (it invalidates that token for every other holder, who then fetch the
 * new one in normal mode).
 */
export class TokenCache {
  readonly #fetchToken: TokenFetcher
  readonly #clock: Clock
  readonly #marginMs: number
  #current: { value: string; refreshAt: number } | undefined
  /** The token WeChat refused last, until a refresh has replaced it. */
  #refused: string | undefined
  #inflight: Promise<string> | null = null

  constructor(fetchToken: TokenFetcher, clock: Clock, marginMs = DEFAULT_TOKEN_MARGIN_MS) {
    this.#fetchToken = fetchToken
    this.#clock = clock
    this.#marginMs = marginMs
  }

  /** The cached token, or the result of the one refresh in flight (starting it if needed). */
  get(): Promise<string> {
    const current = this.#current
    if (current && this.#clock.now().getTime() < current.refreshAt) return Promise.resolve(current.value)
    if (!this.#inflight) {
      this.#inflight = this.#refresh().finally(() => {
        this.#inflight = null
      })
    }
    return this.#inflight
  }

  /**
   * Forgets `token` after WeChat refused it. A token that has already been replaced is left alone,
   * so several sends failing with the same stale token cause one refresh, not one each.
   */
  invalidate(token: string): void {
    if (this.#current?.value !== token) return
    this.#current = undefined
    this.#refused = token
  }

  async #refresh(): Promise<string> {
    const normal = await this.#fetchToken(false)
    let fetched = normal
    if (normal.token === this.#refused) {
      fetched = await this.#fetchToken(true).catch((e: unknown) => {
        // WeChat declined the forced refresh (e.g. its daily quota): keep the token, so the send
        // fails as refused, which is retried later, rather than as a token error.
        if (e instanceof WechatApiError) return normal
        throw e
      })
    }
    this.#refused = undefined
    const lifetimeMs = fetched.expiresInSeconds * 1000
    // A lifetime shorter than twice the margin is used for half its length.
    const usableMs = lifetimeMs > 2 * this.#marginMs ? lifetimeMs - this.#marginMs : lifetimeMs / 2
    this.#current = { value: fetched.token, refreshAt: this.#clock.now().getTime() + usableMs }
    return fetched.token
  }
}
