import type { Message } from 'wechaty'
import type { Assistant, Incoming } from '../../assistant/types.js'
import type { Clock } from '../../clock.js'
import { errorSummary, userTag, type Logger } from '../../log.js'
import { APOLOGY_TEXT } from '../../assistant/texts.js'
import { isConsoleCommand, isSlashCommand, kindOfMessageType, type MessageTypeEnum } from './message-kind.js'
import { SerialQueue } from '../../assistant/serial-queue.js'
import type { StaffRoom } from './staff-room.js'

export interface WechatyMessageDeps {
  readonly assistant: Assistant
  readonly logger: Logger
  readonly clock: Clock
  readonly staffRoom: StaffRoom
  /** Wechaty's `types.Message` and `types.Contact` enums (wechaty is imported lazily by the caller). */
  readonly types: { readonly Message: MessageTypeEnum; readonly Contact: { readonly Official: number } }
  readonly onIncoming?: (incoming: Incoming) => void
}

/** Where a message came from, for the log line. */
type Where = 'dm' | 'staff-room'

/** Said in the staff room when the answer to /console went to the asker privately. */
export const SENT_PRIVATELY_TEXT = '登录链接已私信发给您。 The sign-in link was sent to you in a private chat.'

/** How many recent message ids are remembered, so a puppet re-emitting a message is not answered twice. */
const SEEN_LIMIT = 1_000

/**
 * Turns Wechaty messages into assistant turns. Direct messages from people all go to the assistant;
 * in the staff room only "/" commands do; everything else (the bot's own messages, other rooms,
 * official accounts) is ignored. One log line per handled message — never its text or the sender's id.
 */
export function createWechatyMessageHandler(deps: WechatyMessageDeps): {
  onMessage(message: Message): Promise<void>
  /** Resolves when every queued turn has finished (for a clean stop). */
  idle(): Promise<void>
} {
  const { assistant, logger, clock, staffRoom, types } = deps
  const queue = new SerialQueue()
  const seen = new Set<string>()

  function firstTime(id: string): boolean {
    if (seen.has(id)) return false
    seen.add(id)
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value!)
    return true
  }

  /** The command typed in a room, without a leading @bot mention; undefined when it is not a command. */
  async function roomCommand(message: Message): Promise<string | undefined> {
    if (message.type() !== types.Message.Text) return undefined
    const text = message.text()
    if (isSlashCommand(text)) return text
    if (!text.includes('@') || !(await message.mentionSelf())) return undefined
    const stripped = await message.mentionText()
    return isSlashCommand(stripped) ? stripped : undefined
  }

  type Mapped = { incoming: Incoming; where: Where } | { ignored: string }

  /** The Incoming for a message, or why this door ignores it. */
  async function toIncoming(message: Message): Promise<Mapped> {
    const talker = message.talker()
    const room = message.room()
    const receivedAt = clock.now()
    if (room) {
      const text = await roomCommand(message)
      if (text === undefined) return { ignored: 'room-chat' }
      const staff = await staffRoom.find()
      if (!staff || staff.id !== room.id) return { ignored: 'other-room' }
      staffRoom.noteMember(talker.id)
      return { incoming: { channel: 'wechaty', userId: talker.id, kind: 'text', text, receivedAt }, where: 'staff-room' }
    }
    // Official accounts push articles to the bot's account; answering them is noise (or a loop).
    if (talker.type() === types.Contact.Official) return { ignored: 'official-account' }
    const kind = kindOfMessageType(message.type(), types.Message)
    const text = kind === 'text' ? message.text() : ''
    // A command in a direct message: refresh the staff room's members so isStaff answers from current data.
    if (kind === 'text' && isSlashCommand(text)) await staffRoom.find()
    return { incoming: { channel: 'wechaty', userId: talker.id, kind, text, receivedAt }, where: 'dm' }
  }

  async function answer(message: Message, incoming: Incoming, where: Where): Promise<void> {
    const started = Date.now()
    const log = { event: 'wechaty.message', where, kind: incoming.kind, user: userTag(incoming.userId) }
    try {
      const reply = await assistant.handle(incoming)
      // A console sign-in link asked for in the shared staff room goes to the asker alone.
      if (reply && reply.text !== '' && where === 'staff-room' && isConsoleCommand(incoming.text)) {
        await message.talker().say(reply.text)
        await message.say(SENT_PRIVATELY_TEXT)
      } else if (reply && reply.text !== '') await message.say(reply.text)
      logger.info({ ...log, outcome: reply ? 'reply' : 'empty', replyChars: reply?.text.length ?? 0, durationMs: Date.now() - started })
    } catch (error) {
      logger.error({ ...log, outcome: 'error', durationMs: Date.now() - started, ...errorSummary(error) })
      try {
        await message.say(APOLOGY_TEXT)
      } catch (sayError) {
        logger.error({ ...log, outcome: 'apology-failed', ...errorSummary(sayError) })
      }
    }
  }

  async function turn(message: Message): Promise<void> {
    let mapped: Mapped
    try {
      mapped = await toIncoming(message)
    } catch (error) {
      logger.error({ event: 'wechaty.message', outcome: 'unreadable', ...errorSummary(error) })
      return
    }
    if ('ignored' in mapped) {
      logger.debug({ event: 'wechaty.message', outcome: 'ignored', reason: mapped.ignored })
      return
    }
    try {
      deps.onIncoming?.(mapped.incoming)
    } catch (error) {
      logger.warn({ event: 'wechaty.on_incoming_failed', ...errorSummary(error) })
    }
    await answer(message, mapped.incoming, mapped.where)
  }

  return {
    onMessage(message) {
      let key: string
      try {
        if (message.self() || !firstTime(message.id)) return Promise.resolve()
        key = message.talker().id
      } catch (error) {
        logger.error({ event: 'wechaty.message', outcome: 'unreadable', ...errorSummary(error) })
        return Promise.resolve()
      }
      // Queued before any await, keyed by the sender, so one person's messages keep their order.
      return queue.run(key, () => turn(message))
    },
    idle: () => queue.idle(),
  }
}
