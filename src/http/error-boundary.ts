import type { Middleware } from 'koa'
import { WechatProtocolError } from '../channels/wechat-oa/errors.js'
import { errorSummary, type Logger } from '../log.js'

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
}

/**
 * Outermost middleware: every failure becomes a status code with a short plain-text body.
 * Stack traces and error messages stay in the log; the client never sees them.
 */
export function errorBoundary(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      let status = 500
      if (error instanceof WechatProtocolError) {
        status = error.status
        logger.warn({ event: 'http.refused', status, reason: error.reason, method: ctx.method, path: ctx.path }, 'request refused')
      } else {
        // Koa/router HttpErrors (e.g. 405) carry an exposable 4xx status; anything else is ours.
        const maybe = error as { status?: unknown; expose?: unknown }
        if (typeof maybe.status === 'number' && maybe.status >= 400 && maybe.status < 500 && maybe.expose === true) {
          status = maybe.status
        }
        logger.error({ event: 'http.failed', status, ...errorSummary(error), method: ctx.method, path: ctx.path }, 'request failed')
      }
      ctx.status = status
      ctx.type = 'text/plain'
      ctx.body = STATUS_TEXT[status] ?? 'Error'
    }
  }
}
