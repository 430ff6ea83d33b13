import { Duration } from 'luxon'
import { buildAssistant } from '../../src/assistant/build.js'
import { createHeldNotices } from '../../src/assistant/held-notices.js'
import { holdingNotifier } from './holding-notifier.js'
import type { Conversation } from '../../src/assistant/rights/conversation.js'
import { createDueDate } from '../../src/schedule/due-date.js'
import type { ConsoleLinks } from '../../src/assistant/staff/console-link.js'
import type { IncomingKind } from '../../src/assistant/types.js'
import { silentLogger } from '../../src/log.js'
import type { PolicyStore } from '../../src/policy/types.js'
import { MemoryKeyValueStore } from '../../src/storage/conversation-store.js'
import { openMemoryStorage } from '../../src/storage/open.js'
import { fakePolicy } from './fake-policy.js'
import { TestClock } from './test-clock.js'


export const STAFF_ID = 'staff-openid'

/** The assistant wired with in-memory storage, by the same buildAssistant as the service. */
export function harness(options: { policy?: PolicyStore; timeoutMs?: number; consoleLinks?: ConsoleLinks } = {}) {
  const clock = new TestClock()
  const logger = silentLogger()
  const policy = options.policy ?? fakePolicy()
  const storage = openMemoryStorage<Conversation>(clock)
  const held = createHeldNotices(new MemoryKeyValueStore<{ texts: string[] }>(clock))
  const notifier = holdingNotifier(held)
  const assistant = buildAssistant({
    policy,
    clock,
    logger,
    heldNotices: held,
    staff: {
      requests: storage.requests,
      notifier,
      logger,
      isStaff: (i) => i.userId === STAFF_ID,
      dueDate: createDueDate(Duration.fromISO('P15D'), 'calendar'),
      consoleLinks: options.consoleLinks,
    },
    statusRequests: storage.requests,
    rights: { requests: storage.requests, conversations: storage.conversations, preferences: storage.preferences, timeoutMs: options.timeoutMs ?? 30 * 60_000 },
  })
  const sendAs = async (userId: string, text: string, kind: IncomingKind = 'text') =>
    (await assistant.handle({ channel: 'wechat-oa', userId, kind, text, receivedAt: clock.now() }))?.text ?? ''
  return { clock, storage, assistant, held, send: (text: string) => sendAs('user-1', text), sendAs, staff: (text: string) => sendAs(STAFF_ID, text) }
}

/** The request id in a reply. */
export function idIn(text: string): string {
  const m = /PR-\d{8}-[A-Z0-9]{6}/.exec(text)
  if (!m) throw new Error(`no request id in: ${text}`)
  return m[0]
}
