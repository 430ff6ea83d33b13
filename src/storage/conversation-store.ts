import type { Clock } from '../clock.js'
import type { KeyValueStore } from '../assistant/stores.js'


/**
 * State of conversations in progress, keyed by `channel:userId` (see personKey). Kept in its
 * own file holding only active conversations, so the per-message write stays small however many
 * requests have ever been filed.
 */
export interface ConversationStore<T> extends KeyValueStore<T> {
  /** Drops conversations not touched since `cutoff` (abandoned ones), keeping the file bounded; returns how many. */
  deleteIdleSince(cutoff: Date): Promise<number>
}

/** A keyed store in memory (conversations, preferences, held notices … in tests); the clock drives deleteIdleSince. */
export class MemoryKeyValueStore<T> implements ConversationStore<T> {
  readonly #entries = new Map<string, { value: T; updatedAt: number }>()
  readonly #clock: Clock
  constructor(clock: Clock) {
    this.#clock = clock
  }

  async get(key: string): Promise<T | undefined> {
    const e = this.#entries.get(key)
    return e === undefined ? undefined : structuredClone(e.value)
  }
  async set(key: string, value: T): Promise<void> {
    this.#entries.set(key, { value: structuredClone(value), updatedAt: this.#clock.now().getTime() })
  }
  async delete(key: string): Promise<boolean> {
    return this.#entries.delete(key)
  }
  size(): number {
    return this.#entries.size
  }
  async deleteIdleSince(cutoff: Date): Promise<number> {
    let n = 0
    for (const [key, e] of this.#entries) if (e.updatedAt < cutoff.getTime() && this.#entries.delete(key)) n++
    return n
  }
  async close(): Promise<void> {}
}
