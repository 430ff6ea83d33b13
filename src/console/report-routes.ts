import type { Router } from '@koa/router'
import type { Context, Middleware } from 'koa'
import type { KeptQuestion } from '../assistant/unanswered.js'
import { groupQuestions } from '../assistant/unanswered-report.js'
import type { Clock } from '../clock.js'
import { userTag, type Logger } from '../log.js'
import type { RequestRepository } from '../requests/repository.js'
import { weeklyChart } from './chart.js'
import { auditCsv, chartSeries, requestsCsv } from './exports.js'
import { dashboardFigures, weeklyCounts } from './figures.js'
import { html } from './http.js'
import type { ConsoleSession } from './sessions.js'
import { page, type Chrome } from './views.js'

export interface ReportDeps {
  readonly requests: RequestRepository
  /** Questions the policy could not answer since a time (masked, without who asked). */
  readonly unanswered: (since: Date) => Promise<readonly KeptQuestion[]>
  readonly unansweredDays: number
  readonly clock: Clock
  readonly logger: Logger
  /** Lets only signed-in staff through (and puts their session in ctx.state.session). */
  readonly signedIn: Middleware
  readonly chromeFor: (ctx: Context, title: string, active?: Chrome['active']) => Chrome
}

/** The read-only pages: the dashboard, the unanswered questions, and the CSV exports for an audit. */
export function mountReports(router: Router, deps: ReportDeps): void {
  const { requests, clock, logger, signedIn, chromeFor } = deps
  const staffTag = (ctx: Context): string => userTag((ctx.state.session as ConsoleSession).actor)

  router.get('/console/dashboard', signedIn, async (ctx) => {
    const all = await requests.list()
    const now = clock.now()
    const chart = weeklyChart(weeklyCounts(all, now), chartSeries(), '每周新请求（按类型）Requests per week, by type')
    html(ctx, 200, page('dashboard', { f: dashboardFigures(all, now), chart }, chromeFor(ctx, '看板 Dashboard', 'dashboard')))
  })

  router.get('/console/unanswered', signedIn, async (ctx) => {
    const since = new Date(clock.now().getTime() - deps.unansweredDays * 86_400_000)
    const groups = groupQuestions(await deps.unanswered(since)).map((g) => ({ ...g, lastAt: g.lastAt.slice(0, 10) }))
    const total = groups.reduce((n, g) => n + g.count, 0)
    html(ctx, 200, page('unanswered', { groups, total, days: Math.round(deps.unansweredDays) }, chromeFor(ctx, '未答问题 Unanswered', 'unanswered')))
  })

  router.get('/console/export/requests.csv', signedIn, async (ctx) => {
    csvFile(ctx, 'requests', requestsCsv(await requests.list(), clock.now()))
    logger.info({ event: 'console.export', what: 'requests', user: staffTag(ctx) })
  })

  router.get('/console/export/audit.csv', signedIn, async (ctx) => {
    csvFile(ctx, 'audit', auditCsv(await requests.list()))
    logger.info({ event: 'console.export', what: 'audit', user: staffTag(ctx) })
  })

  function csvFile(ctx: Context, name: string, body: string): void {
    const day = clock.now().toISOString().slice(0, 10)
    ctx.type = 'text/csv; charset=utf-8'
    ctx.set('Content-Disposition', `attachment; filename="${name}-${day}.csv"`)
    ctx.body = body
  }
}
