import { Router } from '@koa/router'
import type { Registry } from 'prom-client'
import { safeEqual } from '../safe-equal.js'
/**
 * `GET /metrics` in Prometheus text format, for whoever holds METRICS_TOKEN
 * (`Authorization: Bearer <token>`). Without a configured token the route does not exist.
 */
export function createMetricsRouter(registry: Registry, token: string): Router {
  const router = new Router()
  router.get('/metrics', async (ctx) => {
    const header = ctx.get('authorization')
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? ''
    if (!safeEqual(token, given)) {
      ctx.status = 401
      ctx.set('WWW-Authenticate', 'Bearer')
      ctx.body = 'Unauthorized'
      return
    }
    ctx.type = registry.contentType
    ctx.body = await registry.metrics()
  })
  return router
}
