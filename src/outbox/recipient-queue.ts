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

interface RecipientRun {
  /** A run is sending this person's messages, oldest first. */
  active: boolean
  done: Promise<void>
  /** Set while the run waits to retry after a failure. */
  timer?: NodeJS.Timeout
}

/**
 * One queue per recipient: messages to one person go out one at a time, in order, and after a
 * failure the whole queue waits for the retry. Different people do not wait for each other.
 */
export class RecipientQueues<T> {
  readonly #steps: QueueSteps<T>
  readonly #runs = new Map<string, RecipientRun>()
  #stopped = false

  constructor(steps: QueueSteps<T>) {
    this.#steps = steps
  }

  /** Starts sending `key`'s messages now, unless a run for them is already going. */
  sendNow(key: string): void {
    if (this.#stopped) return
    let run = this.#runs.get(key)
    if (!run) {
      run = { active: false, done: Promise.resolve() }
      this.#runs.set(key, run)
    }
    if (run.active) return
    clearTimeout(run.timer)
    run.timer = undefined
    run.active = true
    run.done = this.#run(key, run)
  }

  /** True while `key`'s queue waits to retry a failed message. */
  isWaitingForRetry(key: string): boolean {
    return this.#runs.get(key)?.timer !== undefined
  }

  /** Cancels the retry timers and waits for the attempts in flight; nothing starts afterwards. */
  async close(): Promise<void> {
    this.#stopped = true
    for (const run of this.#runs.values()) clearTimeout(run.timer)
    await Promise.all([...this.#runs.values()].map((l) => l.done))
  }

  async #run(key: string, run: RecipientRun): Promise<void> {
    let windowClosed = false
    for (;;) {
      const item = this.#stopped ? undefined : this.#steps.oldest(key)
      // Checked and cleared in the same turn as sendNow() reads it, so no call is ever lost.
      if (item === undefined) {
        run.active = false
        if (!run.timer) this.#runs.delete(key)
        return
      }
      const result = await this.#steps.attempt(item, windowClosed)
      if (result.kind === 'held' && result.windowClosed) windowClosed = true
      if (result.kind === 'retry') return this.#retryLater(key, run, result.delayMs)
    }
  }

  #retryLater(key: string, run: RecipientRun, delayMs: number): void {
    run.active = false
    this.#steps.waitingForRetry(key)
    if (this.#stopped) return
    run.timer = setTimeout(() => {
      run.timer = undefined
      this.sendNow(key)
    }, delayMs)
    run.timer.unref()
  }
}
