/** Who a message outside a reply is for. */
export interface Recipient {
  readonly channel: string
  readonly userId: string
}

/**
 * Sends messages that are not a reply to the current message: staff replies and due dates to
 * requesters, reminders to staff. 'sent' means handed to the platform; 'held' means it waits and is
 * delivered with that person's next reply (e.g. WeChat's 48-hour window has closed).
 */
export interface Notifier {
  notify(to: Recipient, text: string): Promise<'sent' | 'held'>
}

/** Messages waiting for their recipient's next message. */
export interface HeldNotices {
  /** Adds a message for the recipient; resolves once it is durably stored. */
  hold(to: Recipient, text: string): Promise<void>
  /** Removes and returns everything waiting for the recipient, oldest first. */
  take(to: Recipient): Promise<string[]>
  /** Number of people with something waiting (for metrics). */
  pendingCount(): number
}
