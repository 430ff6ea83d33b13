import type { Router } from '@koa/router'
import Koa from 'koa'
import type { Assistant, Clock, Incoming, Reply } from '../assistant/types.js'
import { errorSummary } from '../channels/wechat-oa/errors.js'
import { createWechatRouter } from '../channels/wechat-oa/router.js'
import type { Config } from '../config.js'
import type { Logger } from '../log.js'
import { errorBoundary } from './error-boundary.js'

/** What the HTTP server is built from. */
export interface HttpAppDeps {
  readonly config: Config
  readonly assistant: Assistant
  readonly logger: Logger
  readonly clock: Clock
  /** False while starting or shutting down: /healthz then answers 503 so traffic goes elsewhere. */
  readonly isReady?: () => boolean
  /** Further routes mounted after the WeChat webhook. */
  readonly extraRouters?: readonly Router[]
  /** Assistant time budget per message in ms (default 4500); tests shorten it. */
  readonly replyBudgetMs?: number
  /** Called with replies that arrived after the budget; see createWechatRouter. */
  readonly onLateReply?: (incoming: Incoming, reply: Reply) => void
}

/**
 * The Koa application: `GET /healthz`, the `/wechat` webhook, any extra routers, and an error
 * boundary that maps typed errors to 400/401/413 with short bodies. Other paths are 404.
 */
export function createHttpApp(deps: HttpAppDeps): Koa {
  const app = new Koa()
  const started = deps.clock.now().getTime()
  // Errors are rendered and logged by the boundary; keep Koa from printing them to stderr again.
  app.silent = true
  // What still reaches Koa's error event (e.g. a client hanging up mid-response) is logged, not fatal.
  app.on('error', (error: unknown) => deps.logger.warn({ ...errorSummary(error) }, 'http error outside a request'))

  app.use(errorBoundary(deps.logger))

  app.use(async (ctx, next) => {
    if (ctx.path !== '/healthz' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next()
    const ready = deps.isReady ? deps.isReady() : true
    ctx.status = ready ? 200 : 503
    ctx.body = {
      status: ready ? 'ok' : 'unavailable',
      uptimeSeconds: Math.max(0, Math.round((deps.clock.now().getTime() - started) / 1000)),
    }
  })

  const wechat = createWechatRouter({
    config: deps.config,
    assistant: deps.assistant,
    logger: deps.logger,
    clock: deps.clock,
    replyBudgetMs: deps.replyBudgetMs,
    onLateReply: deps.onLateReply,
  })
  for (const router of [wechat, ...(deps.extraRouters ?? [])]) {
    app.use(router.routes())
    app.use(router.allowedMethods())
  }
  return app
}
