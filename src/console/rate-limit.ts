/**
 * At most `limit` events per key within a sliding `windowMs` (in memory: a restart forgets it, which
 * only gives a staff member or an address a fresh allowance).
 */
export class SlidingWindowLimit {
  readonly #events = new Map<string, number[]>()
  readonly #limit: number
  readonly #windowMs: number

  constructor(limit: number, windowMs: number) {
    this.#limit = limit
    this.#windowMs = windowMs
  }

  /** Counts an event for `key` when allowed; false (and nothing counted) once the limit is reached. */
  allow(key: string, now: Date): boolean {
    if (this.blocked(key, now)) return false
    this.#events.get(key)!.push(now.getTime())
    return true
  }

  /** Counts an event regardless (e.g. a failed attempt). */
  count(key: string, now: Date): void {
    this.blocked(key, now)
    this.#events.get(key)!.push(now.getTime())
  }

  /** True once `key` has reached the limit within the window. */
  blocked(key: string, now: Date): boolean {
    const since = now.getTime() - this.#windowMs
    const recent = (this.#events.get(key) ?? []).filter((t) => t > since)
    this.#events.set(key, recent)
    if (this.#events.size > 10_000) this.#sweep(since)
    return recent.length >= this.#limit
  }

  #sweep(since: number): void {
    for (const [k, times] of this.#events) if (!times.some((t) => t > since)) this.#events.delete(k)
  }
}
