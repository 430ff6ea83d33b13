import type { Wechaty } from 'wechaty'
import type { HeldNotices, Notifier } from '../../assistant/notifier.js'
import type { Assistant, Incoming } from '../../assistant/types.js'
import type { Clock } from '../../clock.js'
import { errorSummary, type Logger } from '../../log.js'
import { createWechatyMessageHandler } from './handle-message.js'
import { contactNotifier } from './notifier.js'
import { createStaffRoom } from './staff-room.js'

/** How long stop() waits for turns in progress. */
const STOP_GRACE_MS = 5_000

/** What the Wechaty door needs; everything comes from the caller (no environment reads). */
export interface WechatyDoorDeps {
  readonly assistant: Assistant
  readonly logger: Logger
  readonly clock: Clock
  /** A Puppet instance (tests: `new PuppetMock({ mocker })`) or a puppet package name such as 'wechaty-puppet-mock'. */
  readonly puppet: unknown
  readonly puppetToken?: string
  /**
   * Wechaty's name; it also names the memory-card file (`<name>.memory-card.json`) in which some
   * puppets keep their login session. Leave unset for no session file.
   */
  readonly name?: string
  /** Contact ids that are staff wherever they write from. */
  readonly staffIds: ReadonlySet<string>
  /** Topic of the staff group chat: its members are staff and may type "/" commands there. */
  readonly staffRoomTopic?: string
  /** Where notices wait when a contact cannot be reached; without it such a notify rejects. */
  readonly held?: HeldNotices
  /** Told about every message the door passes to the assistant (e.g. for metrics). */
  readonly onIncoming?: (incoming: Incoming) => void
}

/** A running Wechaty door. */
export interface WechatyDoor {
  readonly bot: Wechaty
  /**
   * True for a 'wechaty' person listed in staffIds or a member of the staff room. Synchronous: it
   * reads the staff room's members as of the last lookup, which the door refreshes before handing a
   * "/" command to the assistant.
   */
  isStaff(incoming: Pick<Incoming, 'channel' | 'userId'>): boolean
  /** Posts reminders, escalations and the digest in the staff room. */
  staffRoomNotifier(): StaffRoomNotifier
  /** Sends to a Wechaty contact by id (a personal account has no 48-hour window). */
  readonly notifier: Notifier
  /** Stops the bot after the turns in progress have finished. */
  stop(): Promise<void>
}

export interface StaffRoomNotifier {
  /** Resolves true once posted; false when there is no (unambiguous) staff room or posting failed. */
  postToStaff(text: string): Promise<boolean>
}

/**
 * Builds and starts a Wechaty bot wired to the assistant. Wechaty is imported here, on demand,
 * because loading it costs most of a second and it is only needed when a puppet is configured.
 * Does not wait for `bot.ready()`: some puppets (the mock) never emit it.
 */
export async function startWechatyDoor(deps: WechatyDoorDeps): Promise<WechatyDoor> {
  const { logger, clock, staffIds } = deps
  const { WechatyBuilder, types } = await import('wechaty')
  const options: Record<string, unknown> = {
    // A Puppet instance or a puppet module name; the builder accepts both.
    puppet: deps.puppet,
    ...(deps.name ? { name: deps.name } : {}),
    ...(deps.puppetToken ? { puppetOptions: { token: deps.puppetToken } } : {}),
  }
  const bot = WechatyBuilder.build(options as Parameters<typeof WechatyBuilder.build>[0])
  const staffRoom = createStaffRoom({ bot, topic: deps.staffRoomTopic, clock, logger })
  const handler = createWechatyMessageHandler({ assistant: deps.assistant, logger, clock, staffRoom, types, onIncoming: deps.onIncoming })

  bot.on('message', (message) => void handler.onMessage(message))
  // Without an 'error' listener some failures would be thrown as unhandled; the message is not logged (it may quote ids).
  bot.on('error', (error) => logger.warn({ event: 'wechaty.error', ...errorSummary(error) }))
  bot.on('scan', (qrcode, status) => {
    // The operator scans this to log the bot's account in; it names no person.
    logger.info({ event: 'wechaty.scan', status: types.ScanStatus[status] ?? status, qrcode })
  })
  bot.on('login', () => {
    staffRoom.invalidate()
    logger.info({ event: 'wechaty.login' })
  })
  bot.on('logout', () => {
    staffRoom.invalidate()
    logger.warn({ event: 'wechaty.logout' })
  })
  // Synchronous, so a removed member loses staff rights before any later message is handled.
  bot.on('room-join', (room) => staffRoom.roomChanged(room.id))
  bot.on('room-leave', (room) => staffRoom.roomChanged(room.id))
  // A rename can move a room into or out of the staff topic.
  bot.on('room-topic', () => staffRoom.invalidate())

  await bot.start()
  logger.info({ event: 'wechaty.started', staffIds: staffIds.size, staffRoom: Boolean(deps.staffRoomTopic) })

  return {
    bot,
    isStaff: (incoming) => incoming.channel === 'wechaty' && (staffIds.has(incoming.userId) || staffRoom.hasMember(incoming.userId)),
    staffRoomNotifier: () => ({
      async postToStaff(text) {
        const room = await staffRoom.find()
        if (!room) return false
        try {
          await room.say(text)
          logger.info({ event: 'wechaty.staff_post', outcome: 'sent', chars: text.length })
          return true
        } catch (error) {
          logger.error({ event: 'wechaty.staff_post', outcome: 'failed', ...errorSummary(error) })
          return false
        }
      },
    }),
    notifier: contactNotifier({ bot, logger, held: deps.held }),
    async stop() {
      // Let turns in progress send their replies, but do not let a stuck one block shutdown.
      let timer: NodeJS.Timeout | undefined
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_GRACE_MS)
      })
      await Promise.race([handler.idle(), grace]).finally(() => clearTimeout(timer))
      await bot.stop()
      logger.info({ event: 'wechaty.stopped' })
    },
  }
}
