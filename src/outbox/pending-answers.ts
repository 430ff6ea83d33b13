import type { Delivery } from '../assistant/notifier.js'

/** The notify() calls still waiting to learn how their message went, by outbox item id. */
export class PendingAnswers {
  readonly #waiting = new Map<string, (delivery: Delivery) => void>()

  /** Resolves with the first answer given for `id`. */
  wait(id: string): Promise<Delivery> {
    return new Promise<Delivery>((resolve) => this.#waiting.set(id, resolve))
  }

  settle(id: string, delivery: Delivery): void {
    this.#waiting.get(id)?.(delivery)
    this.#waiting.delete(id)
  }

  /** The caller stopped waiting for `id`. */
  forget(id: string): void {
    this.#waiting.delete(id)
  }

  settleAll(delivery: Delivery): void {
    for (const id of [...this.#waiting.keys()]) this.settle(id, delivery)
  }
}
