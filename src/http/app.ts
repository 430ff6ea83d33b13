import type { Router } from '@koa/router'
import Koa from 'koa'
import type { Assistant, Incoming, Reply } from '../assistant/types.js'
import type { Clock } from '../clock.js'
import { createWechatRouter } from '../channels/wechat-oa/router.js'
import type { MessageClaims } from '../channels/wechat-oa/dedupe.js'
import type { Config } from '../config.js'
import { errorSummary, type Logger } from '../log.js'
import type { StorageStatus } from '../storage/health.js'
import { errorBoundary } from './error-boundary.js'

/** What the HTTP server is built from. */
export interface HttpAppDeps {
  readonly config: Config
  readonly assistant: Assistant
  readonly logger: Logger
  readonly clock: Clock
  /** False while starting or shutting down: /healthz then answers 503 so traffic goes elsewhere. */
  readonly isReady?: () => boolean
  /** True once shutdown has begun: every response then closes its connection. */
  readonly isStopping?: () => boolean
  /** Whether state can be written; /healthz answers 503 "degraded" while it cannot. */
  readonly storageStatus?: () => StorageStatus
  /** Further routes mounted after the WeChat webhook. */
  readonly extraRouters?: readonly Router[]
  /** Assistant time budget per message in ms (default 4500); tests shorten it. */
  readonly replyBudgetMs?: number
  /** Called with replies that arrived after the budget; see createWechatRouter. */
  readonly onLateReply?: (incoming: Incoming, reply: Reply) => void
  /** Claims on messages shared by every replica; see MessageHandlerDeps. */
  readonly messageClaims?: MessageClaims<Reply | null>
}

/**
 * The Koa application: `GET /healthz`, the `/wechat` webhook, any extra routers, and an error
 * boundary that maps typed errors to 400/401/413 with short bodies. Other paths are 404.
 */
export function createHttpApp(deps: HttpAppDeps): Koa {
  const app = new Koa()
  app.proxy = deps.config.trustProxy
  const started = deps.clock.now().getTime()
  // Errors are rendered and logged by the boundary; keep Koa from printing them to stderr again.
  app.silent = true
  // What still reaches Koa's error event (e.g. a client hanging up mid-response) is logged, not fatal.
  app.on('error', (error: unknown) => deps.logger.warn({ event: 'http.error_outside_request', ...errorSummary(error) }, 'http error outside a request'))

  if (deps.isStopping) {
    const stopping = deps.isStopping
    // Keep-alive clients are told to reconnect (to another instance, or to this one restarted)
    // instead of being served until the grace period ends and then reset.
    // Checked when the response is about to be written, so replies already in flight count too.
    app.use(async (ctx, next) => {
      try {
        await next()
      } finally {
        if (stopping()) ctx.set('Connection', 'close')
      }
    })
  }

  app.use(errorBoundary(deps.logger))

  app.use(async (ctx, next) => {
    if (ctx.path !== '/healthz' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next()
    const ready = deps.isReady ? deps.isReady() : true
    const storage = deps.storageStatus?.() ?? { ok: true }
    const uptimeSeconds = Math.max(0, Math.round((deps.clock.now().getTime() - started) / 1000))
    if (!ready) {
      ctx.status = 503
      ctx.body = { status: 'unavailable', uptimeSeconds }
    } else if (!storage.ok) {
      // The errno code only (ENOSPC, EACCES, EROFS, …); the log line names the file.
      ctx.status = 503
      ctx.body = { status: 'degraded', storage: storage.code, since: storage.since, uptimeSeconds }
    } else {
      ctx.status = 200
      ctx.body = { status: 'ok', uptimeSeconds }
    }
  })

  const wechat = createWechatRouter({
    config: deps.config,
    assistant: deps.assistant,
    logger: deps.logger,
    clock: deps.clock,
    replyBudgetMs: deps.replyBudgetMs,
    onLateReply: deps.onLateReply,
    messageClaims: deps.messageClaims,
  })
  for (const router of [wechat, ...(deps.extraRouters ?? [])]) {
    app.use(router.routes())
    app.use(router.allowedMethods())
  }
  return app
}
