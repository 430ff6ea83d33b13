import type { RightsRequest } from '../requests/model.js'

/** Who a message outside a reply is for. */
export interface Recipient {
  readonly channel: string
  readonly userId: string
}

/**
 * How a notification went: 'sent' = handed to the platform; 'held' = it waits and is delivered with
 * that person's next reply (e.g. WeChat's 48-hour window has closed); 'queued' = durably stored and
 * being retried (the platform was slow or failing); 'unsent' = sending is switched off for that
 * channel (the WeChat API credentials are not configured), so nothing was attempted. An 'unsent'
 * message is kept like a held one and still reaches the person with their next reply; it is a
 * separate outcome so staff are told it was the configuration, not the person's window.
 */
export type Delivery = 'sent' | 'held' | 'queued' | 'unsent'

/**
 * Sends messages that are not a reply to the current message: staff replies and due dates to
 * requesters, reminders to staff. Resolves only once the message is durably stored or delivered.
 */
export interface Notifier {
  notify(to: Recipient, text: string, options?: NotifyOptions): Promise<Delivery>
}

export interface NotifyOptions {
  /** Also send a template message (reaches users outside the 48-hour window) when one is configured. */
  readonly template?: { readonly title: string; readonly requestId: string; readonly status: string }
}

/** Messages waiting for their recipient's next message. */
export interface HeldNotices {
  /** Adds a message for the recipient; resolves once it is durably stored. */
  hold(to: Recipient, text: string): Promise<void>
  /** Removes and returns everything waiting for the recipient, oldest first. */
  take(to: Recipient): Promise<string[]>
}

/**
 * What staff are told unasked; the assistant owns the words, the scheduler decides when
 * (see staff/notices.ts for the wording).
 */
export interface StaffNoticeTexts {
  newRequest(r: RightsRequest): string
  reminder(r: RightsRequest, now: Date): string
  overdue(r: RightsRequest, now: Date): string
  digest(groups: { overdue: RightsRequest[]; dueSoon: RightsRequest[]; unverified: RightsRequest[] }, now: Date): string
}
