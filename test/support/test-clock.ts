import type { Clock } from '../../src/clock.js'

/** The one clock tests set and move: time is whatever the test says it is. */
export class TestClock implements Clock {
  #t: number

  constructor(start: Date | string = '2026-11-29T02:00:00Z') {
    this.#t = new Date(start).getTime()
  }

  now(): Date {
    return new Date(this.#t)
  }

  set(to: Date | string): void {
    this.#t = new Date(to).getTime()
  }

  advance(ms: number): void {
    this.#t += ms
  }

  /** Unix seconds, as WeChat's timestamps count them. */
  get seconds(): number {
    return this.#t / 1000
  }

  set seconds(value: number) {
    this.#t = value * 1000
  }
}
