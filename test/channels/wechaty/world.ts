import path from 'node:path'
import { Duration } from 'luxon'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { createAssistant } from '../../../src/assistant/assistant.js'
import { createHeldNotices } from '../../../src/assistant/held-notices.js'
import type { HeldNotices, Notifier } from '../../../src/assistant/notifier.js'
import type { Conversation } from '../../../src/assistant/rights/conversation.js'
import { createRightsFlow } from '../../../src/assistant/rights/flow.js'
import { createDueDate } from '../../../src/schedule/due-date.js'
import { createStaffCommands } from '../../../src/assistant/staff/commands.js'
import type { ConsoleLinks } from '../../../src/assistant/staff/console-link.js'
import { createStatusStep } from '../../../src/assistant/status.js'
import type { Assistant } from '../../../src/assistant/types.js'
import { startWechatyDoor, type WechatyDoor, type WechatyDoorDeps } from '../../../src/channels/wechaty/bot.js'
import { PROJECT_ROOT } from '../../../src/config.js'
import { silentLogger } from '../../../src/log.js'
import { loadPolicyStore } from '../../../src/policy/store.js'
import { MemoryKeyValueStore } from '../../../src/storage/conversation-store.js'
import { openMemoryStorage, type Storage } from '../../../src/storage/open.js'
import { TestClock } from '../../support/test-clock.js'

export const STAFF_ROOM = '即库隐私工作组'

export type ContactMock = ReturnType<mock.Mocker['createContact']>
export type RoomMock = ReturnType<mock.Mocker['createRoom']>

/** Polls until `probe` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Resolves after the puppet has had time to deliver anything pending (for "the bot said nothing"). */
export const settle = (ms = 150): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface MockMessage {
  payload: { talkerId: string; roomId?: string }
  text(): string | undefined
}

/**
 * One conversation with the bot: a person's private chat, or a person speaking in a room.
 * `heard` collects what the bot says there; `say` sends and waits for the bot's next message.
 */
export class Chat {
  readonly heard: string[] = []

  constructor(
    botId: string,
    readonly from: ContactMock,
    private readonly to: ContactMock | RoomMock,
    room?: RoomMock,
  ) {
    const listen = (msg: MockMessage): void => {
      if (msg.payload.talkerId !== botId) return
      // A contact also hears rooms it is in; a private chat only counts messages outside rooms.
      if (!room && msg.payload.roomId) return
      this.heard.push(msg.text() ?? '')
    }
    if (room) room.on('message', listen)
    else from.on('message', listen)
  }

  /** Sends `text` (or a file) and resolves with the bot's next message in this conversation. */
  async say(text: Parameters<ContactMock['say']>[0], mentions: ContactMock[] = []): Promise<string> {
    const before = this.heard.length
    this.from.say(text, mentions).to(this.to)
    return this.next(before)
  }

  /** Sends without waiting (messages the bot should ignore, or several in a row). */
  send(text: string): void {
    this.from.say(text).to(this.to)
  }

  /** The bot's message number `index` in this conversation, once it has arrived. */
  next(index: number, timeoutMs = 5_000): Promise<string> {
    return waitFor(() => this.heard[index], timeoutMs, `message #${index} from the bot`)
  }
}

/** The assistant as compose.ts wires it, with in-memory storage, the real policy and the door's staff check and notifier. */
export function realAssistant(doorRef: () => WechatyDoor | undefined, options: { consoleLinks?: ConsoleLinks } = {}) {
  const clock = new TestClock()
  const logger = silentLogger()
  const policy = loadPolicyStore({
    policyFile: path.join(PROJECT_ROOT, 'data', 'privacy-policy.en.txt'),
    lexiconFile: path.join(PROJECT_ROOT, 'data', 'lexicon.json'),
  })
  const storage: Storage<Conversation> = openMemoryStorage<Conversation>(clock)
  const held: HeldNotices = createHeldNotices(new MemoryKeyValueStore<{ texts: string[] }>(clock))
  // The door needs the assistant and the assistant's staff commands need the door: bind late.
  const notifier: Notifier = {
    notify: (to, text, options) => {
      const door = doorRef()
      if (!door) throw new Error('door not started')
      return door.notifier.notify(to, text, options)
    },
  }
  const assistant: Assistant = createAssistant({
    policy,
    clock,
    logger,
    heldNotices: held,
    steps: (tools) => [
      createStaffCommands({ requests: storage.requests, notifier, logger, isStaff: (i) => doorRef()?.isStaff(i) ?? false, dueDate: createDueDate(Duration.fromISO('P15D'), 'calendar'), consoleLinks: options.consoleLinks }),
      createStatusStep(storage.requests),
      createRightsFlow(
        { requests: storage.requests, conversations: storage.conversations, preferences: storage.preferences, policy, logger, timeoutMs: 30 * 60_000 },
        tools,
      ),
    ],
  })
  return { assistant, clock, storage, held, logger }
}

/** A mock WeChat world: the bot's account logged in, and a door started on it. */
export async function startWorld(options: Partial<WechatyDoorDeps> & { assistant: Assistant; clock?: TestClock }) {
  const mocker = new mock.Mocker()
  const puppet = new PuppetMock({ mocker })
  const door = await startWechatyDoor({
    logger: silentLogger(),
    clock: options.clock ?? new TestClock(),
    puppet,
    staffIds: new Set(),
    staffRoomTopic: STAFF_ROOM,
    ...options,
  })
  const me = mocker.createContact({ name: '即库隐私助手' })
  mocker.login(me)
  const chatWithBot = (person: ContactMock): Chat => new Chat(me.id, person, me)
  const chatInRoom = (person: ContactMock, room: RoomMock): Chat => new Chat(me.id, person, room, room)
  return { mocker, door, me, chatWithBot, chatInRoom, stop: () => door.stop() }
}
