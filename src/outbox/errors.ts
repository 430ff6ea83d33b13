/**
 * How a ChannelSender says a message cannot go out now. Anything else it throws is treated as
 * transient: the outbox keeps the message and retries with backoff.
 */

/**
 * The platform will not take a pushed message for this person until they write again (WeChat's
 * 48-hour customer-service window closed, its message count used up, or the user unfollowed).
 * The outbox moves the message to the held notices, delivered with their next reply.
 */
export class WindowClosedError extends Error {
  override readonly name = 'WindowClosedError'
  constructor(
    /** Platform code for the log, e.g. 45015. */
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(`Messaging window closed${code === undefined ? '' : ` (${code})`}`, options)
  }
}

/**
 * Retrying will never deliver this message as it is (invalid recipient, content refused, no
 * permission for the API). The outbox holds it rather than dropping it, so it still reaches the
 * person with their next reply.
 */
export class UndeliverableError extends Error {
  override readonly name = 'UndeliverableError'
  constructor(
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(`Message cannot be delivered${code === undefined ? '' : ` (${code})`}`, options)
  }
}
