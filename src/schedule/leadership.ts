/**
 * Which process runs the scheduled work (deadline follow-ups, the digest, housekeeping, resending
 * what dead replicas left in the outbox): exactly one at a time. A single process always does; with
 * several replicas they elect one through the database, and another takes over when it dies.
 */
export interface Leadership {
  /**
   * Calls `lead` once this process is elected (at once when it is the only one) and `stepDown` when
   * it no longer is. Resolves after the first try: leading (and `lead` done) or standing by.
   */
  start(lead: () => Promise<void>, stepDown: () => Promise<void>): Promise<void>
  /** Steps down if leading, and stops standing. */
  stop(): Promise<void>
}

/** The only process there is: it leads from start to stop. */
export function soleLeadership(): Leadership {
  let stepDown: (() => Promise<void>) | undefined
  return {
    async start(lead, down) {
      stepDown = down
      await lead()
    },
    async stop() {
      await stepDown?.()
      stepDown = undefined
    },
  }
}
