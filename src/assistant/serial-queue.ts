/**
 * Runs tasks one at a time per key (a person), in arrival order, while different keys run side
 * by side: a fast typist's second message must not overtake the first (the rights-request
 * conversation reads and writes per-person state).
 */
export class SerialQueue {
  readonly #tails = new Map<string, Promise<unknown>>()

  /**
   * Queues `task` behind the earlier tasks of `key` and resolves (or rejects) with its result.
   * A failed task never blocks the person's next one.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const result = previous.then(task)
    const tail = result.catch(() => undefined)
    this.#tails.set(key, tail)
    // Forget the key once its queue is empty, so the map only holds people with work pending.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return result
  }

  /** Resolves when everything queued so far has run (used on stop). */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all([...this.#tails.values()])
  }

  /** Number of people with work queued (for tests and metrics). */
  get size(): number {
    return this.#tails.size
  }
}
