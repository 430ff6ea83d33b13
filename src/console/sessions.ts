import type { KeyValueStore } from '../assistant/stores.js'
import type { StaffActor } from '../assistant/staff/actions.js'
import type { ConsoleLinkResult, ConsoleLinks } from '../assistant/staff/console-link.js'
import { digest, newToken } from './tokens.js'
import { SlidingWindowLimit } from './rate-limit.js'

/** A one-time sign-in link waiting to be opened. */
export interface LoginEntry {
  readonly kind: 'login'
  readonly actor: StaffActor
  readonly expiresAt: string
}

/** A signed-in browser. */
export interface SessionEntry {
  readonly kind: 'session'
  readonly actor: StaffActor
  readonly createdAt: string
  readonly lastSeenAt: string
}

export type ConsoleEntry = LoginEntry | SessionEntry

/** The sessions file: keyed by the SHA-256 of the secret, never the secret itself. */
export interface ConsoleEntryStore extends KeyValueStore<ConsoleEntry> {
  /** Drops entries not written since `cutoff` (abandoned links and sessions). */
  deleteIdleSince?(cutoff: Date): Promise<number>
}

export interface ConsoleSessionOptions {
  readonly store: ConsoleEntryStore
  /** PUBLIC_URL, without a trailing slash. */
  readonly publicUrl: string
  readonly linkTtlMs: number
  readonly sessionIdleMs: number
  /** Links one staff member may ask for within `linkWindowMs` (default 5 in 10 minutes). */
  readonly linksPerWindow?: number
  readonly linkWindowMs?: number
}

/** A session as the console sees it. */
export interface ConsoleSession {
  readonly actor: StaffActor
  /** The secret from the cookie (for the CSRF token and sign-out). */
  readonly secret: string
}

/** lastSeenAt is written at most this often, so browsing is not a disk write per page. */
const TOUCH_EVERY_MS = 60_000

const loginKey = (token: string): string => `login:${digest(token)}`
const sessionKey = (secret: string): string => `session:${digest(secret)}`

/**
 * Sign-in links and sessions of the staff console. Secrets are random (256 bits) and stored only as
 * SHA-256 hashes; a link works once and only until it expires; a session ends after being idle for
 * `sessionIdleMs` or at sign-out. Entries live in a durable store, so sessions survive a restart.
 */
export class ConsoleSessions implements ConsoleLinks {
  readonly #o: ConsoleSessionOptions
  readonly #linkLimit: SlidingWindowLimit

  constructor(options: ConsoleSessionOptions) {
    this.#o = options
    this.#linkLimit = new SlidingWindowLimit(options.linksPerWindow ?? 5, options.linkWindowMs ?? 10 * 60_000)
  }

  /** A new sign-in link for `actor`, unless they asked for too many lately. */
  async issue(actor: StaffActor, now: Date): Promise<ConsoleLinkResult> {
    if (!this.#linkLimit.allow(actor, now)) return { refused: 'too-many' }
    await this.#prune(now)
    const token = newToken()
    const expiresAt = new Date(now.getTime() + this.#o.linkTtlMs)
    await this.#o.store.set(loginKey(token), { kind: 'login', actor, expiresAt: expiresAt.toISOString() })
    return { url: `${this.#o.publicUrl}/console/login?token=${encodeURIComponent(token)}`, expiresAt }
  }

  /**
   * Opens a link: the link is used up (removed before anything else happens, so a second opening
   * fails even when the first is still in flight) and a session starts. Undefined for an unknown,
   * used or expired link.
   */
  async redeem(token: string, now: Date): Promise<ConsoleSession | undefined> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined
    const key = loginKey(token)
    const entry = await this.#o.store.get(key)
    if (entry?.kind !== 'login') return undefined
    if (!(await this.#o.store.delete(key))) return undefined
    if (Date.parse(entry.expiresAt) <= now.getTime()) return undefined
    const secret = newToken()
    const at = now.toISOString()
    await this.#o.store.set(sessionKey(secret), { kind: 'session', actor: entry.actor, createdAt: at, lastSeenAt: at })
    return { actor: entry.actor, secret }
  }

  /** The session for a cookie's secret, if it is still live; using it keeps it alive. */
  async lookup(secret: string | undefined, now: Date): Promise<ConsoleSession | undefined> {
    if (!secret || !/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return undefined
    const key = sessionKey(secret)
    const entry = await this.#o.store.get(key)
    if (entry?.kind !== 'session') return undefined
    const idle = now.getTime() - Date.parse(entry.lastSeenAt)
    if (idle >= this.#o.sessionIdleMs) {
      await this.#o.store.delete(key)
      return undefined
    }
    if (idle >= TOUCH_EVERY_MS) await this.#o.store.set(key, { ...entry, lastSeenAt: now.toISOString() })
    return { actor: entry.actor, secret }
  }

  /** Signs out: the session's entry is removed. */
  async end(secret: string): Promise<void> {
    await this.#o.store.delete(sessionKey(secret))
  }

  /** Forgets links and sessions nobody has touched for longer than either could live. */
  async #prune(now: Date): Promise<void> {
    const longest = Math.max(this.#o.linkTtlMs, this.#o.sessionIdleMs) + TOUCH_EVERY_MS
    await this.#o.store.deleteIdleSince?.(new Date(now.getTime() - longest))
  }
}
