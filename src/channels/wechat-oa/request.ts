import type { Context } from 'koa'
import getRawBody from 'raw-body'
import { malformed, tooLarge, unauthorized } from './errors.js'
import { verifyRequestSignature } from './signature.js'

/** WeChat messages are a few KB; anything over 1 MiB is refused unread. */
export const MAX_BODY_BYTES = 1024 * 1024

/** A single query parameter; repeated or absent parameters count as missing. */
export function queryParam(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The signed query WeChat puts on every request. */
export interface SignedQuery {
  readonly timestamp: string
  readonly nonce: string
}

/**
 * Checks `signature` over token/timestamp/nonce (constant time), and — when a window is given —
 * that the timestamp is close to now, so a captured request cannot be replayed later.
 * Throws WechatProtocolError(401).
 */
export function verifySignedQuery(ctx: Context, token: string, now: Date, windowSeconds?: number): SignedQuery {
  const signature = queryParam(ctx, 'signature')
  const timestamp = queryParam(ctx, 'timestamp')
  const nonce = queryParam(ctx, 'nonce')
  if (!signature || !timestamp || !nonce) throw unauthorized('signature-missing')
  if (!verifyRequestSignature(token, timestamp, nonce, signature)) throw unauthorized('bad-signature')
  if (windowSeconds !== undefined) checkTimestamp(timestamp, now, windowSeconds)
  return { timestamp, nonce }
}

/** Throws WechatProtocolError(401) unless `timestamp` (seconds) is within `windowSeconds` of now. */
export function checkTimestamp(timestamp: string, now: Date, windowSeconds: number): void {
  if (!/^\d{1,12}$/.test(timestamp)) throw unauthorized('timestamp-invalid')
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > windowSeconds) throw unauthorized('timestamp-stale')
}

/**
 * Reads the raw body as UTF-8 whatever the content-type (WeChat sends text/xml, testers send
 * anything). Throws WechatProtocolError: 413 over the limit, 400 when the stream fails.
 */
export async function readBody(ctx: Context, limit = MAX_BODY_BYTES): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit, encoding: 'utf-8', length: ctx.get('content-length') || undefined })
  } catch (error) {
    const type = (error as { type?: unknown }).type
    if (type === 'entity.too.large') throw tooLarge('body-too-large')
    throw malformed(typeof type === 'string' ? type : 'body-unreadable')
  }
}
