/** Time comes from here so tests can set it instead of faking timers. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
