import type { Delivery, Notifier, Recipient } from '../assistant/notifier.js'
import type { KeyValueStore } from '../assistant/stores.js'
import type { Clock } from '../clock.js'
import { errorSummary, type Logger } from '../log.js'
import { digest } from './tokens.js'

/**
 * One message a staff action sent to a requester. The text itself is not kept (it may be personal
 * data and is purged with the request); its SHA-256 lets the console find it in the outbox or among
 * the held notices to tell its state now.
 */
export interface SentMessage {
  readonly at: string
  /** What the message announced: verified, replied, closed or rejected. */
  readonly status: string
  /** How notify() answered when it was sent. */
  readonly delivery: Delivery
  readonly digest: string
}

/** Messages sent about each request, keyed by request id. */
export type MessageLog = KeyValueStore<{ messages: SentMessage[] }>

/** Where an undelivered message is now, asked of the outbox and the held notices. */
export interface DeliveryProbe {
  /** Digests of the messages about `requestId` still in the outbox (being retried). */
  inOutbox(requestId: string): readonly string[]
  /** Digests of the messages waiting for `to`'s next message. */
  held(to: Recipient): Promise<readonly string[]>
}

/** A message's state as staff read it. */
export type MessageState = 'delivered' | 'delivered-later' | 'retrying' | 'held' | 'unsent'

export const messageDigest = (text: string): string => digest(text)

/**
 * A notifier that also notes, per request, each message it sends about one (those carrying
 * `template.requestId`, as staff actions do). Noting never fails the message: a write failure is logged.
 */
export function recordingNotifier(notifier: Notifier, log: MessageLog, clock: Clock, logger: Logger): Notifier {
  // One note at a time: each is a read and a write of the same entry.
  let noting = Promise.resolve()
  const note = (requestId: string, entry: SentMessage): Promise<void> =>
    (noting = noting.then(async () => {
      try {
        const current = (await log.get(requestId))?.messages ?? []
        await log.set(requestId, { messages: [...current, entry] })
      } catch (err) {
        logger.warn({ event: 'console.message_log_failed', id: requestId, ...errorSummary(err) })
      }
    }))
  return {
    async notify(to, text, options) {
      const at = clock.now().toISOString()
      const delivery = await notifier.notify(to, text, options)
      const template = options?.template
      if (template) await note(template.requestId, { at, status: template.status, delivery, digest: messageDigest(text) })
      return delivery
    },
  }
}

/** Where the message is now: still retried, waiting for the person, or delivered (at once or later). */
export function messageState(m: SentMessage, inOutbox: readonly string[], held: readonly string[]): MessageState {
  if (inOutbox.includes(m.digest)) return 'retrying'
  if (held.includes(m.digest)) return m.delivery === 'unsent' ? 'unsent' : 'held'
  return m.delivery === 'sent' ? 'delivered' : 'delivered-later'
}
