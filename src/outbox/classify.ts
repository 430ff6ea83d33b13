import { UndeliverableError, WindowClosedError } from './errors.js'
import type { OutboxItem } from './outbox-store.js'

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

/** Why a channel's sending is switched off. */
export type SendingDisabledReason = 'credentials-not-configured'

/** Why a message waits for the person's next reply (logged as `reason`). */
export type HoldReason = SendingDisabledReason | 'no-sender' | 'window-known-closed' | 'window-closed' | 'undeliverable' | 'gave-up'

/** Move the message to the held notices. */
export interface Hold {
  readonly kind: 'hold'
  /** The message as held: when retrying gave up, with the last failure counted. */
  readonly item: OutboxItem
  readonly reason: HoldReason
  /** The person's window is closed, so their later messages need not be tried either. */
  readonly windowClosed: boolean
  /** Error name or platform code, for the log. */
  readonly code?: string
  /** What notify() answers: 'unsent' when sending is switched off, so staff are told the real reason. */
  readonly delivery: 'held' | 'unsent'
}

/** Keep the message (with the failure counted) and try again after `delayMs`. */
export interface Retry {
  readonly kind: 'retry'
  readonly item: OutboxItem
  readonly delayMs: number
}

/** What happens to a message after a send attempt. */
export type Next = { readonly kind: 'delivered' } | Hold | Retry

/** What happens to a message before any API call: send it with `sender`, or hold it. */
export type BeforeSending<S> = { readonly kind: 'send'; readonly sender: S } | Hold

/** How the message's channel and recipient stand when it comes up for sending. */
export interface ChannelState<S> {
  readonly disabled?: SendingDisabledReason
  readonly sender?: S
  readonly windowKnownClosed: boolean
}

/** What a sender's send() did: resolved, or threw `error`. */
export type SendResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown }

/** The error's platform code, reason or name: enough for operators, never message content. */
export function describeError(e: unknown): string {
  const fields = e as { errcode?: unknown; code?: unknown; reason?: unknown; name?: unknown }
  for (const v of [fields?.errcode, fields?.code, fields?.reason]) if (typeof v === 'number' || typeof v === 'string') return String(v)
  return typeof fields?.name === 'string' ? fields.name : typeof e
}

/** The wait before the next try after `attempts` failures: doubling from the base, capped. */
export function retryDelay(policy: OutboxRetryPolicy, attempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1))
}

function hold(item: OutboxItem, reason: HoldReason, extra: { windowClosed?: boolean; code?: string; delivery?: 'held' | 'unsent' } = {}): Hold {
  return { kind: 'hold', item, reason, windowClosed: extra.windowClosed ?? false, code: extra.code, delivery: extra.delivery ?? 'held' }
}

/** Decides whether a message is sent at all. */
export function beforeSending<S>(item: OutboxItem, channel: ChannelState<S>): BeforeSending<S> {
  // Checked first: with sending off, the person's window is not why the message waits.
  if (channel.disabled) return hold(item, channel.disabled, { delivery: 'unsent' })
  if (channel.sender === undefined) return hold(item, 'no-sender')
  // No API call: it would only be refused, and every refused call counts against the account.
  if (channel.windowKnownClosed) return hold(item, 'window-known-closed', { windowClosed: true })
  return { kind: 'send', sender: channel.sender }
}

/**
 * Decides what a send result means for the message: delivered; held when the person must write
 * first or retrying is pointless; retried with backoff; or, once the attempts or the age run out,
 * held after all (never dropped).
 */
export function classifySendResult(item: OutboxItem, result: SendResult, policy: OutboxRetryPolicy, now: Date): Next {
  if (result.ok) return { kind: 'delivered' }
  const { error } = result
  if (error instanceof WindowClosedError) return hold(item, 'window-closed', { windowClosed: true, code: describeError(error) })
  if (error instanceof UndeliverableError) return hold(item, 'undeliverable', { code: describeError(error) })
  const failed: OutboxItem = { ...item, attempts: item.attempts + 1, lastError: describeError(error) }
  const ageMs = now.getTime() - Date.parse(item.createdAt)
  if (failed.attempts >= policy.maxAttempts || ageMs >= policy.maxAgeMs) return hold(failed, 'gave-up', { code: failed.lastError })
  return { kind: 'retry', item: failed, delayMs: retryDelay(policy, failed.attempts) }
}
