/** How one attempt at the oldest message of a queue went. */
export type AttemptResult = { readonly kind: 'sent' } | { readonly kind: 'held'; readonly windowClosed: boolean } | { readonly kind: 'retry'; readonly delayMs: number }

/** What the queues do with the messages; they only decide when and in which order. */
export interface QueueSteps<T> {
  /** The oldest message waiting for `key`, if any. */
  oldest(key: string): T | undefined
  /**
   * One delivery attempt; never throws. `windowClosed`: an earlier message of this run found the
   * person's window closed.
   */
  attempt(item: T, windowClosed: boolean): Promise<AttemptResult>
  /** The oldest message of `key` waits for a retry, and every later one waits behind it. */
  waitingForRetry(key: string): void
}

interface Lane {
  /** A run is sending this person's messages, oldest first. */
  active: boolean
  done: Promise<void>
  /** Set while the lane waits to retry after a failure. */
  timer?: NodeJS.Timeout
}

/**
 * One queue per recipient: messages to one person go out one at a time, in order, and after a
 * failure the whole queue waits for the retry. Different people do not wait for each other.
 */
export class RecipientQueues<T> {
  readonly #steps: QueueSteps<T>
  readonly #lanes = new Map<string, Lane>()
  #stopped = false

  constructor(steps: QueueSteps<T>) {
    this.#steps = steps
  }

  /** Starts sending `key`'s messages now, unless a run for them is already going. */
  kick(key: string): void {
    if (this.#stopped) return
    let lane = this.#lanes.get(key)
    if (!lane) {
      lane = { active: false, done: Promise.resolve() }
      this.#lanes.set(key, lane)
    }
    if (lane.active) return
    clearTimeout(lane.timer)
    lane.timer = undefined
    lane.active = true
    lane.done = this.#run(key, lane)
  }

  /** True while `key`'s queue waits to retry a failed message. */
  isWaitingForRetry(key: string): boolean {
    return this.#lanes.get(key)?.timer !== undefined
  }

  /** Cancels the retry timers and waits for the attempts in flight; nothing starts afterwards. */
  async close(): Promise<void> {
    this.#stopped = true
    for (const lane of this.#lanes.values()) clearTimeout(lane.timer)
    await Promise.all([...this.#lanes.values()].map((l) => l.done))
  }

  async #run(key: string, lane: Lane): Promise<void> {
    let windowClosed = false
    for (;;) {
      const item = this.#stopped ? undefined : this.#steps.oldest(key)
      // Checked and cleared in the same turn as kick() reads it, so no kick is ever lost.
      if (item === undefined) {
        lane.active = false
        if (!lane.timer) this.#lanes.delete(key)
        return
      }
      const result = await this.#steps.attempt(item, windowClosed)
      if (result.kind === 'held' && result.windowClosed) windowClosed = true
      if (result.kind === 'retry') return this.#retryLater(key, lane, result.delayMs)
    }
  }

  #retryLater(key: string, lane: Lane, delayMs: number): void {
    lane.active = false
    this.#steps.waitingForRetry(key)
    if (this.#stopped) return
    lane.timer = setTimeout(() => {
      lane.timer = undefined
      this.kick(key)
    }, delayMs)
    lane.timer.unref()
  }
}
