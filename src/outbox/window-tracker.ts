import type { Recipient } from '../assistant/notifier.js'
import { personKey } from '../person-key.js'

/** WeChat allows customer-service messages for 48 hours after the user's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 48 * 3600_000

/**
 * What the bot knows about each person's messaging window, in memory only. Doors call `seen`
 * for every incoming message; the outbox asks `isClosed` before calling the platform and reports
 * a platform refusal with `closed`.
 */
export interface WindowTracker {
  /** The person wrote to us at `at`: the window is open again. */
  seen(to: Recipient, at: Date): void
  /** True only when the bot KNOWS the window is closed; unknown (e.g. after a restart) is false. */
  isClosed(to: Recipient, now: Date): boolean
  /** The platform refused a message as outside the window; closed until the next `seen`. */
  closed?(to: Recipient, at: Date): void
}

interface State {
  seenAt?: number
  closedAt?: number
}


/**
 * A WindowTracker in a Map. Entries are kept in last-touched order, so forgetting the expired ones
 * (which only turns "known closed" back into "unknown") costs nothing beyond what is removed.
 */
export function createWindowTracker(options: { windowMs?: number; maxEntries?: number } = {}): WindowTracker {
  const windowMs = options.windowMs ?? CUSTOMER_SERVICE_WINDOW_MS
  const maxEntries = options.maxEntries ?? 100_000
  const states = new Map<string, State>()

  function touch(key: string, state: State, now: number): void {
    states.delete(key)
    states.set(key, state)
    if (states.size <= maxEntries) return
    for (const [k, s] of states) {
      if (states.size <= maxEntries) break
      const last = Math.max(s.seenAt ?? -Infinity, s.closedAt ?? -Infinity)
      // Past the window a stale entry tells us nothing we would not learn from the platform.
      if (now - last < windowMs) break
      states.delete(k)
    }
  }

  return {
    seen(to, at) {
      const key = personKey(to)
      touch(key, { seenAt: at.getTime() }, at.getTime())
    },
    isClosed(to, now) {
      const state = states.get(personKey(to))
      if (!state) return false
      if (state.closedAt !== undefined && (state.seenAt === undefined || state.closedAt >= state.seenAt)) return true
      return state.seenAt !== undefined && now.getTime() - state.seenAt >= windowMs
    },
    closed(to, at) {
      const key = personKey(to)
      const state = states.get(key) ?? {}
      touch(key, { ...state, closedAt: at.getTime() }, at.getTime())
    },
  }
}
