import path from 'node:path'
import type { Config } from './config.js'
import type { Logger } from './log.js'
import { createAssistant } from './assistant/assistant.js'
import { createHeldNotices, holdingNotifier } from './assistant/held-notices.js'
import type { Notifier } from './assistant/notifier.js'
import type { Conversation } from './assistant/rights/conversation.js'
import { createRightsFlow } from './assistant/rights/flow.js'
import { createStaffCommands } from './assistant/staff/commands.js'
import { createStatusStep } from './assistant/status.js'
import type { Assistant, Clock, Incoming } from './assistant/types.js'
import { loadPolicyStore } from './policy/store.js'
import type { PolicyStore } from './policy/types.js'
import { JsonKeyValueStore } from './storage/key-value-store.js'
import { openStorage, type Storage } from './storage/open.js'

export interface Services {
  readonly assistant: Assistant
  readonly policy: PolicyStore
  readonly storage: Storage<Conversation>
  readonly notifier: Notifier
  /** Flushes storage and stops background work. */
  close(): Promise<void>
}

/** Builds the real dependencies from config and wires them into the assistant. */
export async function buildServices(config: Config, deps: { clock: Clock; logger: Logger }): Promise<Services> {
  const { clock, logger } = deps
  const policy = await loadPolicyStore(config)
  logger.info({ event: 'policy.loaded', sections: policy.sections().length, topics: policy.topics().length })
  const storage = await openStorage<Conversation>({ dataDir: config.dataDir, clock, logger })
  const heldStore = await JsonKeyValueStore.open<{ texts: string[] }>(path.join(config.dataDir, 'held-notices.json'), clock)
  const heldNotices = createHeldNotices(heldStore)
  const notifier = holdingNotifier(heldNotices)
  const isStaff = (incoming: Incoming): boolean => incoming.channel === 'wechat-oa' && config.staffOpenIds.has(incoming.userId)

  const assistant = createAssistant({
    policy,
    clock,
    logger,
    contactEmail: config.policyFill.contactEmail,
    heldNotices,
    steps: (tools) => [
      createStaffCommands({ requests: storage.requests, notifier, logger, isStaff, responseWindow: config.responseWindow }),
      createStatusStep(storage.requests),
      createRightsFlow(
        {
          requests: storage.requests,
          conversations: storage.conversations,
          preferences: storage.preferences,
          policy,
          logger,
          timeoutMs: config.conversationTimeout.toMillis(),
        },
        tools,
      ),
    ],
    onUnsubscribe: async (incoming) => {
      const key = `${incoming.channel}:${incoming.userId}`
      const current = (await storage.preferences.get(key)) ?? {}
      await storage.preferences.set(key, { ...current, unsubscribed: { at: clock.now().toISOString() } })
      logger.info({ event: 'user.unsubscribed' })
    },
  })
  return {
    assistant,
    policy,
    storage,
    notifier,
    close: async () => {
      await storage.close()
      await heldStore.close()
    },
  }
}
