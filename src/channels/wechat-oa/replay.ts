import type { Clock } from '../../clock.js'
import { userTag, type Logger } from '../../log.js'
import { dedupeKey } from './dedupe.js'
import { unauthorized, type WechatProtocolError } from './errors.js'
import { checkTimestamp, type SignedQuery } from './request.js'
import { signatureKey, type SignatureLedger } from './signature-ledger.js'
import type { WechatFields } from './xml.js'

/** What the replay check needs besides the message. */
export interface ReplayCheck {
  readonly ledger: SignatureLedger
  readonly clock: Clock
  readonly windowSeconds: number
  readonly logger: Logger
}

/**
 * Logs a refusal with pseudonymous tags (never an OpenID or the text) and returns the error to
 * throw; the error boundary adds its own line with the status and reason.
 */
export function refusal(logger: Logger, reason: string, mode: string, extra: Record<string, string> = {}): WechatProtocolError {
  logger.warn({ event: 'wechat.refused', status: 401, reason, mode, ...extra }, 'wechat message refused')
  return unauthorized(reason)
}

/**
 * Binds a signed request to the one message it carries, before anything runs. In plaintext mode
 * the signature covers only token, timestamp and nonce, so the body (sender included) is the
 * caller's word:
 * - the `openid` WeChat puts in the query must name the sender (absent is accepted: older clients
 *   and tools omit it, and the one-use rule below still holds);
 * - a signature carries one message (`dedupeKey`): WeChat's retry of that message is a `repeat`,
 *   to be answered only from the reply cache; any other message is refused.
 * Safe mode applies the same rule to the decrypted message. Throws WechatProtocolError(401).
 */
export async function admitMessage(
  fields: WechatFields,
  query: SignedQuery,
  openid: string | string[] | undefined,
  mode: string,
  check: ReplayCheck,
): Promise<'first' | 'repeat'> {
  const from = fields.FromUserName ?? ''
  // WeChat sends openid once; a repeated parameter cannot be checked, so it is refused too.
  if (openid !== undefined && openid !== from) {
    const claimed = typeof openid === 'string' ? openid : openid.join(',')
    throw refusal(check.logger, 'openid-mismatch', mode, { user: userTag(from), openidUser: userTag(claimed) })
  }
  // Checked again now that the body is read: a body trickled in past the window must not claim
  // a signature whose first claim may already be forgotten.
  checkTimestamp(query.timestamp, check.clock.now(), check.windowSeconds)
  const claim = await check.ledger.claim(signatureKey(query), dedupeKey(fields))
  if (claim === 'conflict') throw refusal(check.logger, 'signature-reused', mode, { user: userTag(from) })
  return claim
}
