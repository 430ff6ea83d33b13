import type { Server } from 'node:http'
import { ConfigError, DEV_WECHAT_TOKEN, loadConfig, type Config } from './config.js'
import { createLogger, flushLogs, type Logger } from './log.js'
import { systemClock } from './assistant/types.js'
import { buildServices } from './compose.js'
import { createHttpApp } from './http/app.js'
import { createMetricsRouter } from './http/metrics-route.js'

/** Starts the service: config, storage, assistant, the webhook, and (when configured) the Wechaty door. */
async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
  const logger = createLogger({ level: config.logLevel })
  if (config.wechat.devToken) {
    logger.warn({ event: 'config.dev_token', token: DEV_WECHAT_TOKEN }, 'WECHAT_TOKEN is not set: running in local mode with the development token')
  }

  let ready = false
  const services = await buildServices(config, { clock: systemClock, logger }).catch((err: unknown) => fatal(logger, err))
  const app = createHttpApp({
    config,
    assistant: services.assistant,
    logger,
    clock: systemClock,
    isReady: () => ready,
    extraRouters: config.metricsToken ? [createMetricsRouter(services.metrics, config.metricsToken)] : [],
    // An answer that missed WeChat's 5-second window goes out as a customer-service message instead.
    onLateReply: (incoming, reply) => {
      services.notifier.notify({ channel: incoming.channel, userId: incoming.userId }, reply.text).catch((err: unknown) => {
        logger.error({ event: 'late_reply.failed', error: err instanceof Error ? err.name : 'unknown' })
      })
    },
  })
  const server: Server = app.listen(config.port, config.host)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  }).catch((err: unknown) => fatal(logger, err))
  await services.start().catch((err: unknown) => fatal(logger, err))
  ready = true
  const address = server.address()
  logger.info({ event: 'service.ready', port: typeof address === 'object' && address ? address.port : config.port })

  let stopping = false
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    ready = false
    logger.info({ event: 'service.stopping', signal })
    // Refuse new connections, let in-flight replies finish, then flush storage.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    const forced = setTimeout(() => server.closeAllConnections(), 4_000)
    await closed
    clearTimeout(forced)
    await services.close()
    logger.info({ event: 'service.stopped' })
    flushLogs(logger)
    setTimeout(() => process.exit(0), 50).unref()
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

function fatal(logger: Logger, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err)
  logger.fatal({ event: 'service.start_failed', error: message })
  flushLogs(logger)
  process.stderr.write(`Cannot start: ${message}\n`)
  process.exit(1)
}

await main()
