/**
 * Runs tasks one at a time per key (a person), in arrival order, while different keys run side
 * by side: a fast typist's second message must not overtake the first (the rights-request
 * conversation reads and writes per-person state).
 */
export class SerialQueue {
  private readonly tails = new Map<string, Promise<void>>()

  /**
   * Queues `task` behind the earlier tasks of `key`; resolves when it has run. Tasks handle their
   * own errors: a rejection is swallowed here so it cannot block the person's next message.
   */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const next = previous.then(task).catch(() => undefined)
    this.tails.set(key, next)
    // Forget the key once its queue is empty, so the map only holds people with work pending.
    void next.then(() => {
      if (this.tails.get(key) === next) this.tails.delete(key)
    })
    return next
  }

  /** Resolves when everything queued so far has run (used on stop). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()])
  }

  /** Number of people with work queued (for tests and metrics). */
  get size(): number {
    return this.tails.size
  }
}
