import type { Lang } from '../lang.js'

interface Entry {
  pages: string[]
  lang: Lang
  expiresAt: number
}

/**
 * Remembers, per user, the unread pages of the last long answer so that 更多 / "more" can continue it.
 * Kept in memory on purpose: losing it on restart costs nothing but a re-ask, and it keeps the hot
 * path free of disk writes. Bounded in size and time so memory stays flat.
 */
export class PageMemory {
  readonly #entries = new Map<string, Entry>()
  readonly #ttlMs: number
  readonly #maxEntries: number

  constructor(ttlMs = 30 * 60_000, maxEntries = 10_000) {
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
  }

  remember(userKey: string, pages: readonly string[], lang: Lang, now: Date): void {
    this.#entries.delete(userKey)
    if (pages.length === 0) return
    this.#entries.set(userKey, { pages: [...pages], lang, expiresAt: now.getTime() + this.#ttlMs })
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value
      if (oldest === undefined) break
      this.#entries.delete(oldest)
    }
  }

  /** Puts one page in front of whatever is still unread (a reply that had to give way to a notice). */
  prepend(userKey: string, page: string, lang: Lang, now: Date): void {
    const current = this.#entries.get(userKey)
    const pending = current && current.expiresAt >= now.getTime() ? current.pages : []
    this.remember(userKey, [page, ...pending], lang, now)
  }

  /** True when an unread, unexpired page is waiting (nothing is consumed). */
  has(userKey: string, now: Date): boolean {
    const entry = this.#entries.get(userKey)
    return entry !== undefined && entry.expiresAt >= now.getTime() && entry.pages.length > 0
  }

  /** The next unread page, or null when there is none (or it expired). */
  next(userKey: string, now: Date): { page: string; lang: Lang } | null {
    const entry = this.#entries.get(userKey)
    if (!entry) return null
    if (entry.expiresAt < now.getTime()) {
      this.#entries.delete(userKey)
      return null
    }
    const page = entry.pages.shift()
    if (entry.pages.length === 0) this.#entries.delete(userKey)
    return page === undefined ? null : { page, lang: entry.lang }
  }

  forget(userKey: string): void {
    this.#entries.delete(userKey)
  }
}
