/**
 * What the assistant keeps per person, as ports: the storage layer implements them (files or a
 * database), tests use memory.
 */

/** A small durable map. Values must be JSON-serialisable; get returns a copy. */
export interface KeyValueStore<T> {
  get(key: string): Promise<T | undefined>
  /** Resolves once the new value is durably on disk. */
  set(key: string, value: T): Promise<void>
  /** Resolves once the removal is on disk; false when the key was absent (nothing written). */
  delete(key: string): Promise<boolean>
  /**
   * Replaces the value with `change(current)` (undefined removes it) as one step that no other
   * process can interleave with, and resolves with the value before. Stores shared by several
   * processes provide it; in one process get and set in a row are enough.
   */
  update?(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>
  /** Waits for pending writes; the store must not be used afterwards. */
  close(): Promise<void>
}

/** Per-person flags that must outlive conversations. Only ids and times: no personal data. */
export interface UserPreferences {
  /** Set when the person opted out of marketing (ISO time); absent = not opted out. */
  marketingOptOut?: { optedOutAt: string }
  /** Set when the person unsubscribed from the Official Account (ISO time); removed on re-subscribe. */
  unsubscribed?: { at: string }
}

/** Preferences keyed by personKey. */
export type PreferencesStore = KeyValueStore<UserPreferences>

/** One person's turns one at a time, wherever they are handled; keyed by personKey. */
export interface TurnLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>
}

/** Messages one person may send: false once they are over the limit (a token bucket per personKey). */
export interface RateLimit {
  allow(key: string, now: Date): boolean | Promise<boolean>
}
