import type { Notifier } from './assistant/notifier.js'
import type { Incoming } from './assistant/types.js'
import type { WechatyDoor } from './channels/wechaty/bot.js'
import type { Config } from './config.js'
import type { Outbox } from './outbox/outbox.js'
import type { StaffChannel } from './schedule/deadlines.js'

/**
 * Requesters and staff, on whichever door reaches them: Wechaty users through the door once it has
 * started, everyone else through the outbox; staff are STAFF_OPENIDS plus the Wechaty staff.
 */
export function reachPeople(config: Config, outbox: Outbox, door: () => WechatyDoor | undefined): { notifier: Notifier; staff: StaffChannel; isStaff: (i: Incoming) => boolean } {
  return {
    notifier: {
      notify: (to, text, options) => {
        const d = door()
        return to.channel === 'wechaty' && d ? d.notifier.notify(to, text, options) : outbox.notify(to, text, options)
      },
    },
    staff: {
      async toStaff(text) {
        const d = door()
        await Promise.all([
          ...[...config.staffOpenIds].map((userId) => outbox.notify({ channel: 'wechat-oa', userId }, text)),
          ...(d ? [d.staffRoomNotifier().postToStaff(text)] : []),
        ])
      },
    },
    isStaff: (incoming) =>
      (incoming.channel === 'wechat-oa' && config.staffOpenIds.has(incoming.userId)) || (incoming.channel === 'wechaty' && (door()?.isStaff(incoming) ?? false)),
  }
}

