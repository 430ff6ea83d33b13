import type { UserPreferences } from '../../assistant/stores.js'
import type { Clock } from '../../clock.js'
import type { Logger } from '../../log.js'
import type { StorageHealth } from '../health.js'
import { keyedStores, type Storage } from '../open.js'
import { PostgresKeyValueStore } from './key-value-store.js'
import { PostgresMessageClaims } from './message-claims.js'
import { migrate } from './migrate.js'
import { createPool } from './pool.js'
import { PostgresRequestRepository } from './request-repository.js'
import { PostgresTurnLock } from './turn-lock.js'
import { PostgresLeadership } from './leadership.js'
import { PostgresOutboxStore } from './outbox-store.js'
import { PostgresRateLimiter } from './rate-limit.js'
import { PostgresUnansweredLog } from './unanswered-log.js'

export interface OpenPostgresOptions {
  /** DATABASE_URL. */
  readonly url: string
  /** DATABASE_POOL_MAX. */
  readonly poolMax: number
  readonly clock: Clock
  readonly logger: Logger
  /** Told when the server is out of reach and when it is back, for /healthz. */
  readonly health?: StorageHealth
}

/**
 * Connects to DATABASE_URL, brings the schema up to date (under the migration lock, so replicas
 * starting together are safe) and opens every store on one pool. Fails when the server cannot be
 * reached at start: a service that cannot file requests should not report itself started.
 */
export async function openPostgresStorage<C = unknown>(options: OpenPostgresOptions): Promise<Storage<C>> {
  const { clock, logger } = options
  const pool = createPool({ connectionString: options.url, max: options.poolMax, logger, health: options.health })
  try {
    const applied = await migrate(pool)
    logger.info({ event: 'postgres.ready', migrationsApplied: applied.length })
  } catch (e) {
    await pool.end().catch(() => undefined)
    throw e
  }
  // Turns waiting for a person's lock hold a connection each: they get a pool of their own (see PostgresTurnLock),
  // and give up after WeChat's retries have (about 15 s) rather than queue for ever behind a stuck turn.
  const lockPool = createPool({ connectionString: options.url, max: options.poolMax, lockTimeoutMillis: 15_000, logger })
  // Claims on WeChat messages and rate-limit counters are written for every message, and losing the
  // last few in a server crash costs nothing that matters: they commit without waiting for the disk.
  const quickPool = createPool({ connectionString: options.url, max: Math.min(4, options.poolMax), asyncCommit: true, logger, health: options.health })
  const kv = <T>(namespace: string) => new PostgresKeyValueStore<T>(pool, namespace, clock)
  const requests = new PostgresRequestRepository({ pool, clock, logger })
  const stores = {
    requests,
    conversations: kv<C>('conversations'),
    preferences: kv<UserPreferences>('preferences'),
  }
  const keyed = keyedStores(async (name) => kv(name))
  const outbox = await PostgresOutboxStore.open(pool)
  const leadership = new PostgresLeadership({ url: options.url, logger })
  const unanswered = new PostgresUnansweredLog(pool, logger)
  return {
    ...stores,
    keyed: keyed.open,
    messageClaims: new PostgresMessageClaims(quickPool, clock),
    turnLock: new PostgresTurnLock(lockPool, logger),
    outbox,
    leadership,
    unanswered,
    rateLimit: (perMinute) => new PostgresRateLimiter(quickPool, perMinute, logger),
    async close() {
      try {
        await leadership.stop()
        await Promise.all([...Object.values(stores).map((s) => s.close()), keyed.close(), outbox.close(), unanswered.close()])
      } finally {
        await Promise.all([pool.end(), lockPool.end(), quickPool.end()])
      }
    },
  }
}
