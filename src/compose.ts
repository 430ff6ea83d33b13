import path from 'node:path'
import type { Config } from './config.js'
import { errorSummary, type Logger } from './log.js'
import { buildAssistant } from './assistant/build.js'
import { followerPreferences } from './assistant/followers.js'
import { reachPeople } from './reach-people.js'
import { createHeldNotices } from './assistant/held-notices.js'
import type { HeldNotices, Notifier } from './assistant/notifier.js'
import type { KeyValueStore } from './assistant/stores.js'
import type { Conversation } from './assistant/rights/conversation.js'
import { createStaffActions, type StaffActionDeps } from './assistant/staff/actions.js'
import { staffNotices } from './assistant/staff/texts.js'
import type { Assistant, Reply } from './assistant/types.js'
import type { MessageClaims } from './channels/wechat-oa/dedupe.js'
import type { Clock } from './clock.js'
import { WechatApiClient } from './channels/wechat-api/client.js'
import type { WechatyDoor } from './channels/wechaty/bot.js'
import { createMetrics } from './metrics.js'
import { createOutbox, type Outbox, type SendingDisabledReason } from './outbox/outbox.js'
import { OUTBOX_FILE } from './outbox/outbox-store.js'
import { wechatOaSender, type ChannelSender } from './outbox/sender.js'
import { createWindowTracker } from './outbox/window-tracker.js'
import { loadPolicyStore } from './policy/store.js'
import type { PolicyStore } from './policy/types.js'
import { DeadlineKeeper } from './schedule/deadlines.js'
import { createDueDate } from './schedule/due-date.js'
import { announceNewRequests } from './schedule/new-requests.js'
import { startHousekeeping } from './schedule/housekeeping.js'
import { NodeScheduler, type Scheduler } from './schedule/scheduler.js'
import { soleLeadership } from './schedule/leadership.js'
import { openStorage, type Storage } from './storage/open.js'
import { openPostgresStorage } from './storage/postgres/open.js'
import { StorageHealthMonitor, type StorageStatus } from './storage/health.js'
import { FileUnansweredLog, unansweredDir, type UnansweredLog } from './storage/unanswered-log.js'
import type { Registry } from 'prom-client'
import type { Router } from '@koa/router'
import type { Flash } from './console/actions.js'
import { createConsoleRouter } from './console/routes.js'
import { messageDigest, recordingNotifier, type SentMessage } from './console/messages.js'
import { ConsoleSessions, type ConsoleEntry } from './console/sessions.js'
import { personKey } from './person-key.js'

export interface Services {
  readonly assistant: Assistant
  readonly policy: PolicyStore
  readonly storage: Storage<Conversation>
  /** Messages outside a reply: persisted, retried, held when WeChat's 48-hour window is closed. */
  readonly notifier: Notifier
  readonly metrics: Registry
  /** The staff web console (/console), for the HTTP app to mount. */
  readonly consoleRouter: Router
  /** Claims on WeChat messages shared by every replica (PostgreSQL only). */
  readonly messageClaims?: MessageClaims<Reply | null>
  /** Whether state can be written right now (for /healthz). */
  storageStatus(): StorageStatus
  /** Starts background work: resends the outbox, sends missed follow-ups, schedules the rest, starts Wechaty. */
  start(): Promise<void>
  /** Stops background work, flushes the outbox and storage. */
  close(): Promise<void>
}

export interface BuildOptions {
  readonly clock: Clock
  readonly logger: Logger
  /** Replaces node-schedule (tests drive time themselves). */
  readonly scheduler?: Scheduler
  /** Skip the timers and the Wechaty door (terminal tools). */
  readonly interactiveOnly?: boolean
  /** A puppet instance to use instead of the one named by WECHATY_PUPPET (tests pass a mock). */
  readonly wechatyPuppet?: unknown
}

/** Builds the real dependencies from config and wires them into the assistant. */
export async function buildServices(config: Config, deps: BuildOptions): Promise<Services> {
  const { clock, logger } = deps
  const policy = loadPolicyStore(config)
  logger.info({ event: 'policy.loaded', sections: policy.sections().length, topics: policy.topics().length })
  const health = new StorageHealthMonitor(logger)
  const storage = await openConfiguredStorage(config, { clock, logger, health })
  const heldStore = await storage.keyed<{ texts: string[] }>('held-notices')
  const heldNotices = createHeldNotices(heldStore)
  const unanswered = storage.unanswered ?? new FileUnansweredLog(unansweredDir(config.dataDir), logger, health)
  const windows = createWindowTracker()
  const metrics = createMetrics()
  const outbox = await createOutbox({
    file: path.join(config.dataDir, OUTBOX_FILE),
    store: storage.outbox,
    health,
    clock,
    logger,
    held: heldNotices,
    ...outboundSenders(config, clock, logger),
    windowTracker: windows,
  })
  metrics.bind({ requests: storage.requests, outboxDepth: () => outbox.depth(), now: () => clock.now() })

  // The Wechaty door needs the assistant and the assistant reaches Wechaty users through the door, so it is bound late.
  let door: WechatyDoor | undefined
  const people = reachPeople(config, outbox, () => door)
  const scheduler = deps.scheduler ?? new NodeScheduler(clock, logger)
  const leadership = storage.leadership ?? soleLeadership()
  const deadlines = new DeadlineKeeper({
    requests: storage.requests,
    scheduler,
    clock,
    logger,
    staff: people.staff,
    texts: staffNotices,
    reminders: config.reminders,
    standby: storage.leadership !== undefined,
  })
  const followers = followerPreferences(storage.preferences, clock, logger)

  const staff = await staffDoors(config, { storage, outbox, heldStore, unanswered, notifier: people.notifier, deadlines, clock, logger })

  const assistant = buildAssistant({
    policy,
    clock,
    logger,
    metrics: metrics.assistant,
    contactEmail: config.policyFill.contactEmail,
    heldNotices,
    unanswered,
    rateLimit: { perMinute: config.rateLimitPerMinute, exempt: people.isStaff, shared: storage.rateLimit?.(config.rateLimitPerMinute) },
    onIncoming: (incoming) => {
      windows.seen({ channel: incoming.channel, userId: incoming.userId }, incoming.receivedAt)
      if (incoming.kind === 'subscribe') void followers.subscribed(incoming)
    },
    onUnsubscribe: (incoming) => followers.unsubscribed(incoming),
    turnLock: storage.turnLock,
    staff: { ...staff.actionDeps, isStaff: people.isStaff, consoleLinks: staff.sessions },
    statusRequests: storage.requests,
    rights: {
      // Staff hear of each new request or inquiry as soon as it is stored.
      requests: announceNewRequests(storage.requests, { staff: people.staff, logger, texts: staffNotices }),
      conversations: storage.conversations,
      preferences: storage.preferences,
      timeoutMs: config.conversationTimeout.toMillis(),
      maxOpenRequests: config.maxOpenRequests,
    },
  })

  return {
    assistant,
    policy,
    storage,
    notifier: people.notifier,
    metrics: metrics.registry,
    consoleRouter: staff.consoleRouter,
    // Only the webhook settles these claims, and it settles them with its replies.
    messageClaims: storage.messageClaims as MessageClaims<Reply | null> | undefined,
    storageStatus: () => health.status(),
    async start() {
      if (deps.interactiveOnly) return
      outbox.start()
      const duties = scheduledDuties({ deadlines, outbox, shared: storage.leadership !== undefined, logger }, () =>
        startHousekeeping({
          requests: storage.requests,
          conversations: storage.conversations,
          unanswered,
          unansweredRetention: config.unansweredRetention,
          scheduler,
          clock,
          logger,
          retention: config.requestRetention,
          conversationTimeoutMs: config.conversationTimeout.toMillis(),
        }),
      )
      await leadership.start(duties.lead, duties.stepDown)
      if (config.wechaty.puppet || deps.wechatyPuppet) door = await startWechaty(config, deps, assistant, heldNotices)
    },
    async close() {
      await leadership.stop()
      await scheduler.stop()
      await door?.stop()
      await outbox.drain(3_000)
      await outbox.close()
      await unanswered.close()
      health.close()
      // Last: closing the storage releases DATA_DIR for the next process.
      await storage.close()
    },
  }
}

/** How often the elected replica re-reads deadlines and looks for messages dead replicas left. */
const RESYNC_MS = 5_000

/**
 * The work only the elected replica does (the only process, with files): deadline follow-ups and the
 * digest, housekeeping, and — with several replicas — re-reading requests other replicas changed and
 * sending what replicas that died left in the outbox. Stepping down stops all of it.
 */
function scheduledDuties(
  parts: { deadlines: DeadlineKeeper; outbox: Outbox; shared: boolean; logger: Logger },
  housekeeping: () => { runOnce(): Promise<void>; stop(): void },
): { lead(): Promise<void>; stepDown(): Promise<void> } {
  const { deadlines, outbox, logger } = parts
  let timer: NodeJS.Timeout | undefined
  let keeping: { stop(): void } | undefined
  const resync = async (): Promise<void> => {
    await deadlines.resync()
    await outbox.adoptOrphans()
  }
  return {
    async lead() {
      await deadlines.start()
      const started = housekeeping()
      keeping = started
      started
        .runOnce()
        .catch((err: unknown) => logger.error({ event: 'housekeeping.failed', ...errorSummary(err) }))
      if (!parts.shared) return
      await outbox.adoptOrphans().catch((err: unknown) => logger.error({ event: 'outbox.adopt_failed', ...errorSummary(err) }))
      timer = setInterval(() => void resync().catch((err: unknown) => logger.warn({ event: 'leadership.resync_failed', ...errorSummary(err) })), RESYNC_MS)
      timer.unref()
    },
    async stepDown() {
      clearInterval(timer)
      deadlines.stop()
      keeping?.stop()
    },
  }
}

/**
 * Staff act through the chat and the console with the same actions; every message they send a
 * requester is noted per request, so the console can show where it is.
 */
async function staffDoors(
  config: Config,
  deps: {
    storage: Storage<Conversation>
    outbox: Outbox
    heldStore: KeyValueStore<{ texts: string[] }>
    unanswered: UnansweredLog
    notifier: Notifier
    deadlines: DeadlineKeeper
    clock: Clock
    logger: Logger
  },
): Promise<{ actionDeps: StaffActionDeps; sessions: ConsoleSessions; consoleRouter: Router }> {
  const { storage, outbox, heldStore, deadlines, clock, logger } = deps
  const sentStore = await storage.keyed<{ messages: SentMessage[] }>('sent-messages')
  const sessions = new ConsoleSessions({
    store: await storage.keyed<ConsoleEntry>('console-sessions'),
    publicUrl: config.console.publicUrl,
    linkTtlMs: config.console.linkTtl.toMillis(),
    sessionIdleMs: config.console.sessionIdle.toMillis(),
  })
  const actionDeps: StaffActionDeps = {
    requests: storage.requests,
    notifier: recordingNotifier(deps.notifier, sentStore, clock, logger),
    logger,
    dueDate: createDueDate(config.responseWindow, config.responseDays, logger),
    onChange: (r) => deadlines.onChange(r),
  }
  const consoleRouter = createConsoleRouter({
    sessions,
    requests: storage.requests,
    actions: createStaffActions({ ...actionDeps, via: 'console' }),
    messages: sentStore,
    flashes: await storage.keyed<Flash>('console-flash'),
    probe: {
      inOutbox: (requestId) => outbox.pendingAbout(requestId).map((i) => messageDigest(i.text)),
      held: async (to) => ((await heldStore.get(personKey(to)))?.texts ?? []).map(messageDigest),
    },
    unanswered: (since) => deps.unanswered.read(since),
    unansweredDays: config.unansweredRetention.as('days'),
    publicUrl: config.console.publicUrl,
    clock,
    logger,
  })
  return { actionDeps, sessions, consoleRouter }
}

/** PostgreSQL when DATABASE_URL is set (shared by every replica), else files in DATA_DIR (one process). */
async function openConfiguredStorage(config: Config, deps: { clock: Clock; logger: Logger; health: StorageHealthMonitor }): Promise<Storage<Conversation>> {
  if (!config.database) return openStorage<Conversation>({ dataDir: config.dataDir, ...deps })
  return openPostgresStorage<Conversation>({ url: config.database.url, poolMax: config.database.poolMax, ...deps })
}

/** Who can be pushed a message, and how: the Official Account through WeChat's API when configured. */
function outboundSenders(
  config: Config,
  clock: Clock,
  logger: Logger,
): { senders: Record<string, ChannelSender>; sendingDisabled: Record<string, SendingDisabledReason> } {
  if (config.wechat.appId && config.wechat.appSecret) {
    const client = new WechatApiClient({ apiBase: config.wechat.apiBase, appId: config.wechat.appId, appSecret: config.wechat.appSecret, clock, logger })
    return { senders: { 'wechat-oa': wechatOaSender(client, config.wechatTemplateId) }, sendingDisabled: {} }
  }
  // The webhook still answers; staff replies and notices wait as held notices, and staff are told why.
  logger.warn(
    { event: 'outbox.sending_disabled', channel: 'wechat-oa', reason: 'credentials-not-configured' },
    'outgoing WeChat messages are disabled: WECHAT_APPID / WECHAT_APPSECRET are not configured',
  )
  return { senders: {}, sendingDisabled: { 'wechat-oa': 'credentials-not-configured' } }
}

/**
 * The Wechaty door, imported only when configured (loading wechaty costs most of a second). A puppet
 * that cannot start (missing package, bad token, no network) must not take the Official Account
 * down with it: the webhook keeps serving, and the log says why.
 */
async function startWechaty(config: Config, deps: BuildOptions, assistant: Assistant, held: HeldNotices): Promise<WechatyDoor | undefined> {
  const { startWechatyDoor } = await import('./channels/wechaty/bot.js')
  try {
    return await startWechatyDoor({
      assistant,
      logger: deps.logger,
      clock: deps.clock,
      puppet: deps.wechatyPuppet ?? config.wechaty.puppet,
      puppetToken: config.wechaty.puppetToken,
      staffIds: config.wechaty.staffIds,
      staffRoomTopic: config.wechaty.staffRoom,
      held,
      name: path.join(config.dataDir, 'wechaty'),
    })
  } catch (err) {
    deps.logger.error({ event: 'wechaty.start_failed', puppet: config.wechaty.puppet, ...errorSummary(err) })
    return undefined
  }
}
