import { randomUUID } from 'node:crypto'
import type { Delivery, HeldNotices, Notifier, NotifyOptions, Recipient } from '../assistant/notifier.js'
import type { Clock } from '../clock.js'
import { userTag, type Logger } from '../log.js'
import { UndeliverableError, WindowClosedError } from './errors.js'
import { OutboxStore, type OutboxItem } from './outbox-store.js'
import type { ChannelSender } from './sender.js'
import type { WindowTracker } from './window-tracker.js'
import type { StorageHealth } from '../storage/health.js'

/** Background retries of a message the platform did not take. */
export interface OutboxRetryPolicy {
  /** Delay after the first failure; doubles after each further one. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** After this many failed attempts the message is held instead (never dropped). */
  readonly maxAttempts: number
  /** A message older than this is held instead of retried again. */
  readonly maxAgeMs: number
}

/** 5 s, 10 s, … capped at 5 min: about 75 minutes of retrying before a message is held. */
export const DEFAULT_OUTBOX_RETRY: OutboxRetryPolicy = { baseDelayMs: 5_000, maxDelayMs: 5 * 60_000, maxAttempts: 20, maxAgeMs: 24 * 3600_000 }

/** notify() answers within this, so a staff command still answers inside WeChat's 5 s. */
export const DEFAULT_NOTIFY_WAIT_MS = 2_500

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  /** The outbox JSON file (created with mode 0600; its directory 0700). */
  readonly file: string
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

/** Why a channel's sending is switched off. */
export type SendingDisabledReason = 'credentials-not-configured'

/** A Notifier backed by a durable outbox. */
export interface Outbox extends Notifier {
  /** Resends whatever a previous process left in the outbox. Idempotent. */
  start(): void
  /** Tries every pending message now; true once the outbox is empty, false if `timeoutMs` ran out first. */
  drain(timeoutMs: number): Promise<boolean>
  /** Messages in the outbox (in flight or waiting for a retry). */
  depth(): number
  /** Stops retrying, lets in-flight attempts finish and flushes the file. Pending messages stay for the next start. */
  close(): Promise<void>
  /** Same as close(). */
  stop(): Promise<void>
}

type Attempt = { kind: 'sent' } | { kind: 'held'; windowClosed: boolean } | { kind: 'retry'; attempts: number }

interface Lane {
  /** A run is sending this person's messages, oldest first. */
  active: boolean
  done: Promise<void>
  /** Set while the lane waits to retry after a failure. */
  timer?: NodeJS.Timeout
}

const keyOf = (to: Recipient): string => `${to.channel}:${to.userId}`

function describeError(e: unknown): string {
  const fields = e as { errcode?: unknown; code?: unknown; reason?: unknown; name?: unknown }
  for (const v of [fields?.errcode, fields?.code, fields?.reason]) if (typeof v === 'number' || typeof v === 'string') return String(v)
  return typeof fields?.name === 'string' ? fields.name : typeof e
}

/**
 * Opens the outbox file and returns a Notifier that never loses a message: each one is written to
 * the file before the first delivery attempt and removed only once it was delivered or moved to
 * the held notices. Messages to one person go out one at a time, in order.
 */
export async function createOutbox(options: OutboxOptions): Promise<Outbox> {
  const { clock, logger, held, senders, windowTracker: tracker } = options
  const policy: OutboxRetryPolicy = { ...DEFAULT_OUTBOX_RETRY, ...options.retry }
  const waitMs = options.waitMs ?? DEFAULT_NOTIFY_WAIT_MS
  const store = await OutboxStore.open(options.file, options.health)
  const lanes = new Map<string, Lane>()
  const waiters = new Map<string, (delivery: Delivery) => void>()
  const alerts = new Set<Promise<void>>()
  const emptyWaiters = new Set<() => void>()
  let stopped = false
  let closing: Promise<void> | undefined

  const logFields = (item: OutboxItem) => ({ channel: item.to.channel, user: userTag(item.to.userId), attempts: item.attempts })

  function settle(id: string, delivery: Delivery): void {
    waiters.get(id)?.(delivery)
    waiters.delete(id)
  }

  async function removeItem(id: string): Promise<void> {
    await store.remove(id)
    if (store.size() === 0) for (const wake of [...emptyWaiters]) wake()
  }

  /** Moves the message to the held notices; `delivery` is what notify() answers for it. */
  async function hold(item: OutboxItem, reason: string, windowClosed: boolean, code?: string, delivery: 'held' | 'unsent' = 'held'): Promise<Attempt> {
    await held.hold(item.to, item.text)
    await removeItem(item.id)
    settle(item.id, delivery)
    logger.info({ event: 'outbox.held', reason, code, ...logFields(item), depth: store.size() })
    return { kind: 'held', windowClosed }
  }

  function alert(sender: ChannelSender, item: OutboxItem): void {
    if (!sender.alert || !item.options?.template) return
    const running: Promise<void> = sender
      .alert(item.to, item.options)
      .catch(() => undefined)
      .finally(() => alerts.delete(running))
    alerts.add(running)
  }

  async function attempt(item: OutboxItem, windowKnownClosed: boolean): Promise<Attempt> {
    // Checked first: with sending off, the person's window is not why the message waits.
    const disabled = options.sendingDisabled?.[item.to.channel]
    if (disabled) return hold(item, disabled, false, undefined, 'unsent')
    const sender = senders[item.to.channel]
    if (!sender) return hold(item, 'no-sender', false)
    if (windowKnownClosed || tracker?.isClosed(item.to, clock.now())) {
      // No API call: it would only be refused, and every refused call counts against the account.
      const result = await hold(item, 'window-known-closed', true)
      alert(sender, item)
      return result
    }
    try {
      await sender.send(item.to, item.text, item.options)
    } catch (e) {
      if (e instanceof WindowClosedError) {
        tracker?.closed?.(item.to, clock.now())
        return hold(item, 'window-closed', true, describeError(e))
      }
      if (e instanceof UndeliverableError) return hold(item, 'undeliverable', false, describeError(e))
      const attempts = item.attempts + 1
      const failed = { ...item, attempts, lastError: describeError(e) }
      const ageMs = clock.now().getTime() - Date.parse(item.createdAt)
      if (attempts >= policy.maxAttempts || ageMs >= policy.maxAgeMs) return hold(failed, 'gave-up', false, failed.lastError)
      await store.put(failed)
      logger.warn({ event: 'outbox.retry-later', error: failed.lastError, ...logFields(failed), depth: store.size() })
      return { kind: 'retry', attempts }
    }
    logger.info({ event: 'outbox.sent', ...logFields(item) })
    try {
      await removeItem(item.id)
    } finally {
      // Delivered, even if the removal failed (the message would then be sent again later).
      settle(item.id, 'sent')
    }
    return { kind: 'sent' }
  }

  const oldest = (key: string): OutboxItem | undefined => store.list().find((i) => keyOf(i.to) === key)

  function retryDelay(attempts: number): number {
    return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1))
  }

  async function run(key: string, lane: Lane): Promise<void> {
    let windowClosed = false
    for (;;) {
      const item = stopped ? undefined : oldest(key)
      // Checked and cleared in the same turn as kick() reads it, so no kick is ever lost.
      if (!item) {
        lane.active = false
        if (!lane.timer) lanes.delete(key)
        return
      }
      let result: Attempt
      try {
        result = await attempt(item, windowClosed)
      } catch (e) {
        // The file or the held notices could not be written: keep the message and try again later.
        logger.error({ event: 'outbox.store-failed', error: describeError(e), ...logFields(item) })
        result = { kind: 'retry', attempts: item.attempts + 1 }
      }
      if (result.kind === 'held' && result.windowClosed) windowClosed = true
      if (result.kind === 'retry') {
        lane.active = false
        // Later messages to this person wait behind this one, to keep their order.
        for (const waiting of store.list()) if (keyOf(waiting.to) === key) settle(waiting.id, 'queued')
        if (!stopped) {
          lane.timer = setTimeout(() => {
            lane.timer = undefined
            kick(key)
          }, retryDelay(result.attempts))
          lane.timer.unref()
        }
        return
      }
    }
  }

  function kick(key: string): void {
    if (stopped) return
    let lane = lanes.get(key)
    if (!lane) {
      lane = { active: false, done: Promise.resolve() }
      lanes.set(key, lane)
    }
    if (lane.active) return
    clearTimeout(lane.timer)
    lane.timer = undefined
    lane.active = true
    lane.done = run(key, lane)
  }

  const pendingKeys = (): Set<string> => new Set(store.list().map((i) => keyOf(i.to)))

  async function close(): Promise<void> {
    stopped = true
    for (const lane of lanes.values()) clearTimeout(lane.timer)
    await Promise.all([...lanes.values()].map((l) => l.done))
    await Promise.all([...alerts])
    for (const id of [...waiters.keys()]) settle(id, 'queued')
    await store.close()
    logger.info({ event: 'outbox.closed', depth: store.size() })
  }

  return {
    async notify(to: Recipient, text: string, notifyOptions?: NotifyOptions): Promise<Delivery> {
      if (stopped) throw new Error('The outbox is closed')
      const template = notifyOptions?.template
      const item: OutboxItem = {
        id: randomUUID(),
        seq: store.nextSeq(),
        to: { channel: to.channel, userId: to.userId },
        text,
        ...(template ? { options: { template: { title: template.title, requestId: template.requestId, status: template.status } } } : {}),
        createdAt: clock.now().toISOString(),
        attempts: 0,
      }
      await store.put(item)
      const delivered = new Promise<Delivery>((resolve) => waiters.set(item.id, resolve))
      const key = keyOf(to)
      const waitingForRetry = lanes.get(key)?.timer !== undefined
      if (waitingForRetry && !tracker?.isClosed(to, clock.now())) settle(item.id, 'queued')
      else kick(key)
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<Delivery>((resolve) => {
        timer = setTimeout(() => resolve('queued'), waitMs)
      })
      try {
        return await Promise.race([delivered, timedOut])
      } finally {
        clearTimeout(timer)
        waiters.delete(item.id)
      }
    },
    start() {
      const keys = pendingKeys()
      if (keys.size > 0) logger.info({ event: 'outbox.resume', depth: store.size(), people: keys.size })
      for (const key of keys) kick(key)
    },
    async drain(timeoutMs) {
      if (store.size() === 0) return true
      for (const key of pendingKeys()) kick(key)
      return new Promise<boolean>((resolve) => {
        const finish = (empty: boolean): void => {
          clearTimeout(timer)
          emptyWaiters.delete(wake)
          resolve(empty)
        }
        // Empty in memory can run ahead of the file: report empty only once the removals are on disk.
        const wake = (): void => void store.flush().then(() => store.size() === 0 && finish(true))
        const timer = setTimeout(() => finish(store.size() === 0), timeoutMs)
        emptyWaiters.add(wake)
      })
    },
    depth: () => store.size(),
    close() {
      closing ??= close()
      return closing
    },
    stop() {
      closing ??= close()
      return closing
    },
  }
}
