import type { Clock } from '../../clock.js'

/** What the token endpoint returned. */
export interface FetchedToken {
  readonly token: string
  readonly expiresInSeconds: number
}

/** WeChat keeps the old token valid for 5 minutes after a refresh; refreshing this early is safe. */
export const DEFAULT_TOKEN_MARGIN_MS = 5 * 60_000

/**
 * One access_token for the process, fetched lazily and refreshed shortly before it expires.
 *
 * Every fetch invalidates the previous token at WeChat, so concurrent callers must share a single
 * refresh (single-flight) rather than each fetching their own.
 */
export class TokenCache {
  readonly #fetchToken: () => Promise<FetchedToken>
  readonly #clock: Clock
  readonly #marginMs: number
  #current: { value: string; refreshAt: number } | undefined
  #inflight: Promise<string> | null = null

  constructor(fetchToken: () => Promise<FetchedToken>, clock: Clock, marginMs = DEFAULT_TOKEN_MARGIN_MS) {
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
    if (this.#current?.value === token) this.#current = undefined
  }

  async #refresh(): Promise<string> {
    const { token, expiresInSeconds } = await this.#fetchToken()
    const lifetimeMs = expiresInSeconds * 1000
    // A lifetime shorter than twice the margin (never seen in practice) is used for half its length.
    const usableMs = lifetimeMs > 2 * this.#marginMs ? lifetimeMs - this.#marginMs : lifetimeMs / 2
    this.#current = { value: token, refreshAt: this.#clock.now().getTime() + usableMs }
    return token
  }
}
