import { Router } from '@koa/router'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Context } from 'koa'
import type { Config } from '../../config.js'
import { WechatCrypto } from './crypto.js'
import { malformed } from './errors.js'
import { createMessageHandler, type MessageHandlerDeps } from './handle-message.js'
import { admitMessage, type ReplayCheck } from './replay.js'
import { queryParam, readBody, verifySignedQuery } from './request.js'
import { openEnvelope, sealReply } from './safe-mode.js'
import { MemorySignatureLedger, type SignatureLedger } from './signature-ledger.js'
import { clipReply } from '../../reply-size.js'
import { buildTextReplyXml, parseWechatXml } from './xml.js'

/** Everything the webhook needs: the message handler's dependencies plus config (nothing from the environment). */
export interface WechatRouterDeps extends MessageHandlerDeps {
  readonly config: Config
  /** Which message each signed query carried; default: this process's memory. */
  readonly signatureLedger?: SignatureLedger
}

/** "No reply" in WeChat's protocol: it stops retrying and shows the user nothing. */
const NO_REPLY = 'success'

// Set as literal headers before the body, so Koa neither guesses a type nor looks one up per message.
const TEXT_TYPE = 'text/plain; charset=utf-8'
const XML_TYPE = 'text/xml; charset=utf-8'

function sendText(ctx: Context, body: string): void {
  ctx.status = 200
  ctx.set('Content-Type', TEXT_TYPE)
  ctx.body = body
}

function sendXml(ctx: Context, body: string): void {
  ctx.status = 200
  ctx.set('Content-Type', XML_TYPE)
  ctx.body = body
}

/** Builds the safe-mode crypto from Config, or undefined when no EncodingAESKey is configured. */
function cryptoFrom(config: Config): WechatCrypto | undefined {
  const { encodingAesKey, encodingAesKeyPrevious, appId } = config.wechat
  if (!encodingAesKey || !appId) return undefined
  return new WechatCrypto({ encodingAesKey, encodingAesKeyPrevious, appId })
}

/**
 * The Official Account webhook at `/wechat`: GET answers WeChat's URL verification, POST
 * receives messages (plaintext, compatible or safe mode) and answers with a passive reply.
 * Refusals are thrown as WechatProtocolError for the HTTP error boundary to render.
 */
export function createWechatRouter(deps: WechatRouterDeps): Router {
  const { config, logger, clock } = deps
  const token = config.wechat.token
  const crypto = cryptoFrom(config)
  const handle = createMessageHandler(deps)
  const windowSeconds = config.wechat.timestampWindowSeconds
  const ledger =
    deps.signatureLedger ??
    new MemorySignatureLedger({
      clock,
      windowSeconds,
      onOverflow: (liveEvictions) =>
        logger.warn({ event: 'wechat.signature_ledger_full', liveEvictions }, 'signatures forgotten inside the timestamp window: the ledger bound is too small'),
    })
  const replay: ReplayCheck = { ledger, clock, windowSeconds, logger }
  const router = new Router({ prefix: '/wechat' })

  router.get('/', (ctx) => {
    // URL verification carries no message, so no timestamp window: WeChat's console may retry it.
    verifySignedQuery(ctx, token, clock.now())
    const echostr = queryParam(ctx, 'echostr')
    if (echostr === undefined) throw malformed('echostr-missing')
    ctx.set('X-Content-Type-Options', 'nosniff')
    sendText(ctx, echostr)
  })

  router.post('/', async (ctx) => {
    // Authenticate before reading the body, so forged requests cost us nothing.
    const query = verifySignedQuery(ctx, token, clock.now(), windowSeconds)
    const raw = await readBody(ctx)
    const encryptType = queryParam(ctx, 'encrypt_type') ?? 'raw'
    if (encryptType !== 'raw' && encryptType !== 'aes') throw malformed('encrypt-type-unknown')

    let fields = parseWechatXml(raw)
    let mode = 'plain'
    if (encryptType === 'aes') {
      if (!crypto) {
        logger.error({ event: 'wechat.aes_key_missing' }, 'safe-mode message but no EncodingAESKey/AppID is configured')
        throw malformed('aes-key-missing')
      }
      const opened = openEnvelope(fields, crypto, token, { ...query, msgSignature: queryParam(ctx, 'msg_signature') })
      fields = opened.fields
      // Noted on the message's log line: once no message needs the previous key, it can go.
      mode = opened.key === 'previous' ? 'aes-previous-key' : 'aes'
    }

    // Nothing runs until the signature is bound to this one message (and its sender to openid).
    const claim = await admitMessage(fields, query, ctx.query.openid, mode, replay)
    const result = await handle(fields, mode, { repeat: claim === 'repeat' })
    // Write in the event loop's check phase, together with every other reply finished in this
    // turn: back-to-back writes wake the peer once instead of once each; idle, it adds microseconds.
    await nextTurn()
    if (!result) return sendText(ctx, NO_REPLY)
    const replyXml = buildTextReplyXml({
      toUser: fields.FromUserName ?? '',
      fromUser: fields.ToUserName ?? '',
      createTime: Math.floor(clock.now().getTime() / 1000),
      content: clipReply(result.text),
    })
    sendXml(ctx, encryptType === 'aes' && crypto ? sealReply(replyXml, crypto, token, clock.now()) : replyXml)
  })

  return router
}
