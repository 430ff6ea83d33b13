import { createAssistant, type AssistantDeps } from './assistant.js'
import { createRightsFlow, type RightsFlowDeps } from './rights/flow.js'
import { createStaffCommands, type StaffDeps } from './staff/commands.js'
import { createStatusStep } from './status.js'
import type { Assistant } from './types.js'

/** What the whole assistant is built from: the core's dependencies, and those of each step. */
export interface AssistantParts extends Omit<AssistantDeps, 'steps'> {
  /** Staff commands (/list, /verify, /reply …): who is staff, and the actions' dependencies. */
  readonly staff: StaffDeps
  /**
   * The rights conversation. Its `requests` is where new requests are filed (the service wraps the
   * repository to tell staff of each one); status checks read `statusRequests`, the plain repository.
   */
  readonly rights: Omit<RightsFlowDeps, 'policy' | 'logger'>
  readonly statusRequests: RightsFlowDeps['requests']
}

/**
 * The assistant with its steps in their one order — staff commands, then status checks, then the
 * rights conversation, then policy answers — used by the service and by the tests alike, so the
 * tests exercise the order production runs.
 */
export function buildAssistant(parts: AssistantParts): Assistant {
  const { staff, rights, statusRequests, ...core } = parts
  return createAssistant({
    ...core,
    steps: (tools) => [
      createStaffCommands(staff),
      createStatusStep(statusRequests),
      createRightsFlow({ ...rights, policy: core.policy, logger: core.logger }, tools),
    ],
  })
}
