import type { Wechaty } from 'wechaty'
import type { Delivery, HeldNotices, Notifier, Recipient } from '../../assistant/notifier.js'
import { errorSummary, userTag, type Logger } from '../../log.js'

/** Raised when a message cannot be sent and there is nowhere to keep it. */
export class WechatyDeliveryError extends Error {
  constructor(readonly reason: 'wrong-channel' | 'no-contact' | 'send-failed') {
    super(`Wechaty delivery failed: ${reason}`)
    this.name = 'WechatyDeliveryError'
  }
}

export interface ContactNotifierDeps {
  readonly bot: Wechaty
  readonly logger: Logger
  /** Where a message waits when it cannot be sent now; it then goes out with the person's next reply. */
  readonly held?: HeldNotices
}

/**
 * Sends to a Wechaty contact by id. A personal WeChat account has no 48-hour window, so a found
 * contact gets the message now ('sent'). When the contact is unknown or sending fails the message is
 * held ('held') if a HeldNotices store was given, otherwise the call rejects so the caller knows.
 */
export function contactNotifier(deps: ContactNotifierDeps): Notifier {
  const { bot, logger, held } = deps
  return {
    async notify(to: Recipient, text: string): Promise<Delivery> {
      if (to.channel !== 'wechaty') throw new WechatyDeliveryError('wrong-channel')
      const log = { event: 'wechaty.notify', user: userTag(to.userId) }
      let reason: 'no-contact' | 'send-failed'
      try {
        const contact = await bot.Contact.find({ id: to.userId })
        if (contact) {
          await contact.say(text)
          logger.info({ ...log, outcome: 'sent', chars: text.length })
          return 'sent'
        }
        reason = 'no-contact'
      } catch (error) {
        reason = 'send-failed'
        logger.warn({ ...log, outcome: reason, ...errorSummary(error) })
      }
      if (!held) {
        logger.error({ ...log, outcome: 'failed', reason })
        throw new WechatyDeliveryError(reason)
      }
      await held.hold(to, text)
      logger.warn({ ...log, outcome: 'held', reason })
      return 'held'
    },
  }
}
