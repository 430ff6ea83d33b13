import type { HeldNotices } from '../assistant/notifier.js'
import type { Clock } from '../clock.js'
import { userTag, type Logger } from '../log.js'
import {
  beforeSending,
  classifySendResult,
  describeError,
  retryDelay,
  type Hold,
  type OutboxRetryPolicy,
  type Retry,
  type SendingDisabledReason,
  type SendResult,
} from './classify.js'
import type { OutboxItem, OutboxItems } from './outbox-store.js'
import type { PendingAnswers } from './pending-answers.js'
import type { AttemptResult } from './recipient-queue.js'
import type { ChannelSender } from './sender.js'
import type { WindowTracker } from './window-tracker.js'

/** Template alerts sent in the background for held messages; close() waits for them. */
export class BackgroundAlerts {
  readonly #running = new Set<Promise<void>>()

  start(sender: ChannelSender, item: OutboxItem): void {
    if (!sender.alert || !item.options?.template) return
    const running: Promise<void> = sender
      .alert(item.to, item.options)
      .catch(() => undefined)
      .finally(() => this.#running.delete(running))
    this.#running.add(running)
  }

  async settled(): Promise<void> {
    await Promise.all([...this.#running])
  }
}

/** Everything one delivery attempt reads or changes. */
export interface AttemptContext {
  readonly store: OutboxItems
  readonly held: HeldNotices
  readonly senders: Readonly<Record<string, ChannelSender>>
  readonly sendingDisabled?: Readonly<Record<string, SendingDisabledReason>>
  readonly tracker?: WindowTracker
  readonly clock: Clock
  readonly logger: Logger
  readonly policy: OutboxRetryPolicy
  readonly answers: PendingAnswers
  readonly alerts: BackgroundAlerts
  /** Called when a removal left the outbox empty. */
  readonly emptied: () => void
}

const logFields = (item: OutboxItem) => ({ channel: item.to.channel, user: userTag(item.to.userId), attempts: item.attempts })

/**
 * One attempt at delivering `item`, carried out to the end: the message leaves the outbox once
 * it is delivered or held, or stays with its failure counted. Never throws.
 */
export async function attemptDelivery(ctx: AttemptContext, item: OutboxItem, windowClosed: boolean): Promise<AttemptResult> {
  try {
    return await attempt(ctx, item, windowClosed)
  } catch (e) {
    // The file or the held notices could not be written: keep the message and try again later.
    ctx.logger.error({ event: 'outbox.store-failed', error: describeError(e), ...logFields(item) })
    return { kind: 'retry', delayMs: retryDelay(ctx.policy, item.attempts + 1) }
  }
}

async function attempt(ctx: AttemptContext, item: OutboxItem, windowClosed: boolean): Promise<AttemptResult> {
  const sender = ctx.senders[item.to.channel]
  const first = beforeSending(item, {
    disabled: ctx.sendingDisabled?.[item.to.channel],
    sender,
    windowKnownClosed: windowClosed || ctx.tracker?.isClosed(item.to, ctx.clock.now()) === true,
  })
  if (first.kind === 'hold') {
    const result = await hold(ctx, first)
    // The text waits for the person's next message; a template alert can still reach them now.
    if (first.reason === 'window-known-closed' && sender) ctx.alerts.start(sender, item)
    return result
  }
  const next = classifySendResult(item, await send(first.sender, item), ctx.policy, ctx.clock.now())
  if (next.kind === 'delivered') return delivered(ctx, item)
  if (next.kind === 'retry') return retryLater(ctx, next)
  if (next.reason === 'window-closed') ctx.tracker?.closed?.(item.to, ctx.clock.now())
  return hold(ctx, next)
}

async function send(sender: ChannelSender, item: OutboxItem): Promise<SendResult> {
  try {
    await sender.send(item.to, item.text, item.options)
    return { ok: true }
  } catch (error) {
    return { ok: false, error }
  }
}

async function delivered(ctx: AttemptContext, item: OutboxItem): Promise<AttemptResult> {
  ctx.logger.info({ event: 'outbox.sent', ...logFields(item) })
  try {
    await remove(ctx, item.id)
  } finally {
    // Delivered, even if the removal failed (the message would then be sent again later).
    ctx.answers.settle(item.id, 'sent')
  }
  return { kind: 'sent' }
}

/** Moves the message to the held notices; notify() answers `decision.delivery` for it. */
async function hold(ctx: AttemptContext, decision: Hold): Promise<AttemptResult> {
  const { item } = decision
  await ctx.held.hold(item.to, item.text)
  await remove(ctx, item.id)
  ctx.answers.settle(item.id, decision.delivery)
  ctx.logger.info({ event: 'outbox.held', reason: decision.reason, code: decision.code, ...logFields(item), depth: ctx.store.size() })
  return { kind: 'held', windowClosed: decision.windowClosed }
}

async function retryLater(ctx: AttemptContext, retry: Retry): Promise<AttemptResult> {
  await ctx.store.put(retry.item)
  ctx.logger.warn({ event: 'outbox.retry-later', error: retry.item.lastError, ...logFields(retry.item), depth: ctx.store.size() })
  return { kind: 'retry', delayMs: retry.delayMs }
}

async function remove(ctx: AttemptContext, id: string): Promise<void> {
  await ctx.store.remove(id)
  if (ctx.store.size() === 0) ctx.emptied()
}
