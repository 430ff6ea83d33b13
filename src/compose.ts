import type { Config } from './config.js'
import type { Logger } from './log.js'
import { createAssistant } from './assistant/assistant.js'
import type { Assistant, Clock } from './assistant/types.js'
import { loadPolicyStore } from './policy/store.js'
import type { PolicyStore } from './policy/types.js'

export interface Services {
  readonly assistant: Assistant
  readonly policy: PolicyStore
  /** Flushes storage and stops background work. */
  close(): Promise<void>
}

/** Builds the real dependencies from config and wires them into the assistant. */
export async function buildServices(config: Config, deps: { clock: Clock; logger: Logger }): Promise<Services> {
  const policy = await loadPolicyStore(config)
  deps.logger.info({ event: 'policy.loaded', sections: policy.sections().length, topics: policy.topics().length })
  const assistant = createAssistant({
    policy,
    clock: deps.clock,
    logger: deps.logger,
    contactEmail: config.policyFill.contactEmail,
    onUnsubscribe: () => {
      deps.logger.info({ event: 'user.unsubscribed' })
    },
  })
  return {
    assistant,
    policy,
    close: async () => {},
  }
}
