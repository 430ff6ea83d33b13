import type { Server } from 'node:http'
import { ConfigError, DEV_WECHAT_TOKEN, loadConfig, type Config } from './config.js'
import { createLogger, flushLogs, type Logger, errorSummary } from './log.js'
import { systemClock } from './clock.js'
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
  process.on('unhandledRejection', (err) => logger.error({ event: 'unhandled_rejection', ...errorSummary(err) }, 'unhandled rejection'))
  warnAboutConfig(config, logger)

  let ready = false
  let stopping = false
  const services = await buildServices(config, { clock: systemClock, logger }).catch((err: unknown) => fatal(logger, err))
  const app = createHttpApp({
    config,
    assistant: services.assistant,
    logger,
    clock: systemClock,
    isReady: () => ready,
    isStopping: () => stopping,
    storageStatus: services.storageStatus,
    messageClaims: services.messageClaims,
    extraRouters: [services.consoleRouter, ...(config.metricsToken ? [createMetricsRouter(services.metrics, config.metricsToken)] : [])],
    // An answer that missed WeChat's 5-second window goes out as a customer-service message instead.
    onLateReply: (incoming, reply) => {
      services.notifier.notify({ channel: incoming.channel, userId: incoming.userId }, reply.text).catch((err: unknown) => {
        logger.error({ event: 'late_reply.failed', ...errorSummary(err) })
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

  const stop = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    ready = false
    logger.info({ event: 'service.stopping', signal })
    // Refuse new connections and let in-flight replies finish; each of those replies now carries
    // `Connection: close`, and a keep-alive socket is closed as soon as it falls idle.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100)
    const forced = setTimeout(() => server.closeAllConnections(), 4_000)
    await closed
    clearInterval(idleSweep)
    clearTimeout(forced)
    let code = 0
    try {
      await services.close()
      logger.info({ event: 'service.stopped' })
    } catch (err) {
      // A full or read-only disk at shutdown: acknowledged requests are already in the journal.
      code = 1
      logger.error({ event: 'service.stop_failed', ...errorSummary(err) }, 'could not flush everything at shutdown')
    }
    flushLogs(logger)
    setTimeout(() => process.exit(code), 50).unref()
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

/** Start-up warnings about settings that work but leave something unsafe or unsaid. */
function warnAboutConfig(config: Config, logger: Logger): void {
  if (config.wechat.devToken) {
    logger.warn({ event: 'config.dev_token', token: DEV_WECHAT_TOKEN }, 'WECHAT_TOKEN is not set: running in local mode with the development token')
  }
  if (config.staffOpenIds.size > 0 && !config.wechat.encodingAesKey) {
    logger.warn(
      { event: 'config.staff_in_plaintext' },
      'STAFF_OPENIDS is set but WECHAT_ENCODING_AES_KEY is not: staff commands and requesters’ details travel unencrypted; use safe mode (安全模式)',
    )
  }
  if (!config.policyFill.contactEmail) {
    logger.warn(
      { event: 'config.contact_email_missing' },
      'POLICY_CONTACT_EMAIL is not set: the policy’s e-mail blank stays unfilled and contact questions get the postal address only',
    )
  }
}

/**
 * The reason start-up failed, for stderr and the log. Our own errors name the file and never
 * quote data; a SyntaxError from JSON.parse may quote a fragment of a file, so only its kind is kept.
 */
function startError(err: unknown): string {
  if (err instanceof SyntaxError) return 'a file could not be parsed (invalid JSON)'
  return err instanceof Error ? err.message : String(err)
}

function fatal(logger: Logger, err: unknown): never {
  const message = startError(err)
  logger.fatal({ event: 'service.start_failed', error: message })
  flushLogs(logger)
  process.stderr.write(`Cannot start: ${message}\n`)
  process.exit(1)
}

await main()
