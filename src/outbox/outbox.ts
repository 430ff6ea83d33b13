import { randomUUID } from 'node:crypto'
import type { Delivery, HeldNotices, Notifier, NotifyOptions, Recipient } from '../assistant/notifier.js'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { personKey } from '../person-key.js'
import type { StorageHealth } from '../storage/health.js'
import { attemptDelivery, BackgroundAlerts, type AttemptContext } from './attempt.js'
import { DEFAULT_OUTBOX_RETRY, type OutboxRetryPolicy, type SendingDisabledReason } from './classify.js'
import { OutboxStore, type OutboxItem, type OutboxItems } from './outbox-store.js'
import { PendingAnswers } from './pending-answers.js'
import { RecipientQueues } from './recipient-queue.js'
import type { ChannelSender } from './sender.js'
import type { WindowTracker } from './window-tracker.js'

export { DEFAULT_OUTBOX_RETRY, type OutboxRetryPolicy, type SendingDisabledReason } from './classify.js'

/** notify() answers within this, so a staff command still answers inside WeChat's 5 s. */
export const DEFAULT_NOTIFY_WAIT_MS = 2_500

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  /** The outbox JSON file (created with mode 0600; its directory 0700), unless a `store` is given. */
  readonly file?: string
  /** Where messages wait instead of the file: a store shared by replicas. */
  readonly store?: OutboxItems
  readonly clock: Clock
  readonly logger: Logger
  /** Where messages go when the person must write first (or retrying gave up). */
  readonly held: HeldNotices
  /** Senders by Recipient.channel; a channel without one holds every message. */
  readonly senders: Readonly<Record<string, ChannelSender>>
  /**
   * Channels that could push but are switched off, and why (the Official Account without WeChat API
   * credentials). Their messages are kept as held notices, so the person still sees them with their
   * next reply, and notify() answers 'unsent' so the caller can tell staff the real reason.
   */
  readonly sendingDisabled?: Readonly<Record<string, SendingDisabledReason>>
  readonly windowTracker?: WindowTracker
  readonly retry?: Partial<OutboxRetryPolicy>
  /** Told of failed and successful writes of the outbox file, for /healthz. */
  readonly health?: StorageHealth
  /** How long notify() waits for the first attempt before answering 'queued'. */
  readonly waitMs?: number
}

/** A Notifier backed by a durable outbox. */
export interface Outbox extends Notifier {
  /** Resends whatever a previous process left in the outbox. Idempotent. */
  start(): void
  /**
   * Takes over and sends what replicas that died left in a shared outbox (see OutboxItems.adoptOrphans);
   * resolves with how many messages. Only the elected replica calls it, now and then.
   */
  adoptOrphans(): Promise<number>
  /** Tries every pending message now; true once the outbox is empty, false if `timeoutMs` ran out first. */
  drain(timeoutMs: number): Promise<boolean>
  /** Messages in the outbox (in flight or waiting for a retry). */
  depth(): number
  /** The messages about one request (`template.requestId`) still in the outbox, oldest first. */
  pendingAbout(requestId: string): OutboxItem[]
  /** Stops retrying, lets in-flight attempts finish and flushes the file. Pending messages stay for the next start. */
  close(): Promise<void>
}

interface Parts extends AttemptContext {
  readonly queues: RecipientQueues<OutboxItem>
  readonly waitMs: number
  /** drain() calls waiting for the outbox to empty. */
  readonly emptyWatchers: Set<() => void>
}

/**
 * Opens the outbox file and returns a Notifier that never loses a message: each one is written to
 * the file before the first delivery attempt and removed only once it was delivered or moved to
 * the held notices. Messages to one person go out one at a time, in order.
 */
export async function createOutbox(options: OutboxOptions): Promise<Outbox> {
  const parts = await assemble(options)
  let closing: Promise<void> | undefined
  return {
    async notify(to, text, notifyOptions) {
      if (closing) throw new Error('The outbox is closed')
      return notify(parts, to, text, notifyOptions)
    },
    start: () => start(parts),
    adoptOrphans: () => adoptOrphans(parts),
    drain: (timeoutMs) => drain(parts, timeoutMs),
    depth: () => parts.store.size(),
    pendingAbout: (requestId) => parts.store.list().filter((i) => i.options?.template?.requestId === requestId),
    close: () => (closing ??= close(parts)),
  }
}

async function assemble(options: OutboxOptions): Promise<Parts> {
  const store = options.store ?? (await OutboxStore.open(options.file!, options.health))
  const emptyWatchers = new Set<() => void>()
  const ctx: AttemptContext = {
    store,
    held: options.held,
    senders: options.senders,
    sendingDisabled: options.sendingDisabled,
    tracker: options.windowTracker,
    clock: options.clock,
    logger: options.logger,
    policy: { ...DEFAULT_OUTBOX_RETRY, ...options.retry },
    answers: new PendingAnswers(),
    alerts: new BackgroundAlerts(),
    emptied: () => {
      for (const wake of [...emptyWatchers]) wake()
    },
  }
  const queues = new RecipientQueues<OutboxItem>({
    oldest: (key) => store.list().find((i) => personKey(i.to) === key),
    attempt: (item, windowClosed) => attemptDelivery(ctx, item, windowClosed),
    waitingForRetry: (key) => answerQueued(ctx, key),
  })
  return { ...ctx, queues, waitMs: options.waitMs ?? DEFAULT_NOTIFY_WAIT_MS, emptyWatchers }
}

/** Later messages to this person wait behind the one being retried, to keep their order. */
function answerQueued(ctx: AttemptContext, key: string): void {
  for (const waiting of ctx.store.list()) if (personKey(waiting.to) === key) ctx.answers.settle(waiting.id, 'queued')
}

async function notify(parts: Parts, to: Recipient, text: string, options: NotifyOptions | undefined): Promise<Delivery> {
  const item = newItem(parts, to, text, options)
  await parts.store.put(item)
  const delivered = parts.answers.wait(item.id)
  const key = personKey(to)
  // Behind a retry the message waits its turn, unless the window is known closed: then the run
  // holds the whole queue now, without an API call.
  if (parts.queues.isWaitingForRetry(key) && !parts.tracker?.isClosed(to, parts.clock.now())) parts.answers.settle(item.id, 'queued')
  else parts.queues.sendNow(key)
  try {
    return await answerWithin(delivered, parts.waitMs)
  } finally {
    parts.answers.forget(item.id)
  }
}

function newItem(parts: Parts, to: Recipient, text: string, options: NotifyOptions | undefined): OutboxItem {
  const template = options?.template
  return {
    id: randomUUID(),
    seq: parts.store.nextSeq(),
    to: { channel: to.channel, userId: to.userId },
    text,
    ...(template ? { options: { template: { title: template.title, requestId: template.requestId, status: template.status } } } : {}),
    createdAt: parts.clock.now().toISOString(),
    attempts: 0,
  }
}

/** `delivered`, or 'queued' if it takes longer than `waitMs`. */
async function answerWithin(delivered: Promise<Delivery>, waitMs: number): Promise<Delivery> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<Delivery>((resolve) => {
    timer = setTimeout(() => resolve('queued'), waitMs)
  })
  try {
    return await Promise.race([delivered, timedOut])
  } finally {
    clearTimeout(timer)
  }
}

const pendingKeys = (store: OutboxItems): Set<string> => new Set(store.list().map((i) => personKey(i.to)))

function start(parts: Parts): void {
  const keys = pendingKeys(parts.store)
  if (keys.size > 0) parts.logger.info({ event: 'outbox.resume', depth: parts.store.size(), people: keys.size })
  for (const key of keys) parts.queues.sendNow(key)
}

async function adoptOrphans(parts: Parts): Promise<number> {
  const adopted = (await parts.store.adoptOrphans?.()) ?? []
  if (adopted.length === 0) return 0
  const keys = new Set(adopted.map((i) => personKey(i.to)))
  parts.logger.info({ event: 'outbox.adopted', messages: adopted.length, people: keys.size })
  for (const key of keys) parts.queues.sendNow(key)
  return adopted.length
}

async function drain(parts: Parts, timeoutMs: number): Promise<boolean> {
  if (parts.store.size() === 0) return true
  for (const key of pendingKeys(parts.store)) parts.queues.sendNow(key)
  return untilEmpty(parts, timeoutMs)
}

function untilEmpty({ store, emptyWatchers }: Parts, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const finish = (empty: boolean): void => {
      clearTimeout(timer)
      emptyWatchers.delete(wake)
      resolve(empty)
    }
    // Empty in memory can run ahead of the file: report empty only once the removals are on disk.
    const wake = (): void => void store.flush().then(() => store.size() === 0 && finish(true))
    const timer = setTimeout(() => finish(store.size() === 0), timeoutMs)
    emptyWatchers.add(wake)
  })
}

async function close(parts: Parts): Promise<void> {
  await parts.queues.close()
  await parts.alerts.settled()
  parts.answers.settleAll('queued')
  await parts.store.close()
  parts.logger.info({ event: 'outbox.closed', depth: parts.store.size() })
}
