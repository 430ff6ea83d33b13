import type { NotifyOptions, Recipient } from '../assistant/notifier.js'
import type { WechatApiClient } from '../channels/wechat-api/client.js'
import { WechatApiError, WINDOW_CLOSED_ERRCODES } from '../channels/wechat-api/errors.js'
import { errorSummary, userTag, type Logger } from '../log.js'
import { UndeliverableError, WindowClosedError } from './errors.js'

/** Pushes messages on one channel for the outbox. */
export interface ChannelSender {
  /**
   * Delivers `text` (and, where the channel has one, the template alert described by `options`).
   * Throws WindowClosedError when the person must write first, UndeliverableError when retrying is
   * pointless, anything else when a later retry may succeed.
   */
  send(to: Recipient, text: string, options?: NotifyOptions): Promise<void>
  /**
   * Best-effort alert for someone whose window is known to be closed (e.g. a template message);
   * the text itself waits as a held notice. Never throws.
   */
  alert?(to: Recipient, options: NotifyOptions): Promise<void>
}

/** Shown under the template fields: the full text may be waiting for the user's next message. */
export const TEMPLATE_REMARK = '回复任意消息即可查看完整内容。 Send us any message to see the full reply.'

/**
 * A ChannelSender for the WeChat Official Account: a customer-service text message, plus a
 * template message (first, keyword1 = request id, keyword2 = status, remark) when `templateId` is
 * configured and the notification carries template details. Templates reach users outside the
 * 48-hour window, so one is also tried when the text is refused as outside it; a template failure
 * is logged and never fails the delivery.
 */
export function wechatOaSender(client: WechatApiClient, templateId?: string, logger: Logger = client.logger): ChannelSender {
  async function sendTemplate(to: Recipient, options: NotifyOptions | undefined): Promise<void> {
    const template = options?.template
    if (!templateId || !template) return
    try {
      await client.sendTemplate(to.userId, templateId, {
        first: template.title,
        keyword1: template.requestId,
        keyword2: template.status,
        remark: TEMPLATE_REMARK,
      })
      logger.info({ event: 'outbox.template-sent', user: userTag(to.userId) })
    } catch (e) {
      const errcode = e instanceof WechatApiError ? e.errcode : undefined
      logger.warn({ event: 'outbox.template-failed', user: userTag(to.userId), errcode, ...errorSummary(e) })
    }
  }

  return {
    async send(to, text, options) {
      try {
        await client.sendText(to.userId, text)
      } catch (e) {
        if (!(e instanceof WechatApiError) || e.retryable) throw e
        if (WINDOW_CLOSED_ERRCODES.has(e.errcode)) {
          await sendTemplate(to, options)
          throw new WindowClosedError(e.errcode, { cause: e })
        }
        throw new UndeliverableError(e.errcode, { cause: e })
      }
      await sendTemplate(to, options)
    },
    alert: sendTemplate,
  }
}
