import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { MemoryRequestRepository } from '../requests/memory-repository.js'
import type { RequestRepository } from '../requests/repository.js'
import { MemoryKeyValueStore, type ConversationStore } from './conversation-store.js'
import { JournaledConversationStore } from './journaled-store.js'
import { FileRequestRepository } from './file-request-repository.js'
import { lockDataDir } from './data-dir-lock.js'
import { StoreIoError, ioCode } from './errors.js'
import { ensureDir } from './fs-utils.js'
import type { StorageHealth } from './health.js'
import type { PreferencesStore, RateLimit, TurnLock } from '../assistant/stores.js'
import type { UnansweredLog } from './unanswered-log.js'
import type { OutboxItems } from '../outbox/outbox-store.js'
import type { Leadership } from '../schedule/leadership.js'
import { memoryPreferencesStore, openPreferencesStore } from './preferences-store.js'
import { JsonKeyValueStore } from './key-value-store.js'

/** Everything the service persists about people and requests, in files or in PostgreSQL. */
export interface Storage<C = unknown> {
  readonly requests: RequestRepository
  readonly conversations: ConversationStore<C>
  readonly preferences: PreferencesStore
  /**
   * A further small keyed store, by name (held notices, console sessions, sent-message digests): the
   * file `<name>.json` in DATA_DIR, or the name's own part of the database's key-value table. Opened
   * once per name; closed with the rest.
   */
  keyed<T>(name: string): Promise<ConversationStore<T>>
  /**
   * Claims on incoming messages shared by every replica (see MessageClaims in the webhook), when the
   * storage is shared; the answers themselves are JSON.
   */
  readonly messageClaims?: {
    claim(key: string): Promise<boolean>
    settle(key: string, answer: unknown): Promise<void>
    settled(key: string): Promise<{ readonly answer: unknown } | undefined>
  }
  /** One person's turns one at a time across replicas, when the storage is shared. */
  readonly turnLock?: TurnLock
  /** The outbox's messages, when the storage is shared (otherwise the outbox keeps its own file in DATA_DIR). */
  readonly outbox?: OutboxItems
  /** Which replica runs the scheduled work, when the storage is shared (otherwise this process, always). */
  readonly leadership?: Leadership
  /** Questions the policy could not answer, when the storage is shared (otherwise a file a day in DATA_DIR). */
  readonly unanswered?: UnansweredLog
  /** Messages per person counted with the other replicas, when the storage is shared (otherwise in memory). */
  rateLimit?(perMinute: number): RateLimit
  /** Flushes pending writes of every store, then lets go of them (DATA_DIR, or the database pool). */
  close(): Promise<void>
}

export interface OpenStorageOptions {
  dataDir: string
  clock: Clock
  logger: Logger
  /** Told of failed and successful writes, for /healthz. */
  health?: StorageHealth
}

/**
 * Takes DATA_DIR for this process (a second process is refused: see lockDataDir) and opens
 * (creating when missing, mode 0700) DATA_DIR with:
 *   requests/YYYY-MM.json  — rights requests by Shanghai creation month
 *   conversations.json     — active conversations only (snapshot), with conversations.journal
 *                            holding the turns since, one appended line each
 *   preferences.json       — marketing opt-out and unsubscribe records
 *   <name>.json            — further keyed stores (see Storage.keyed)
 * Throws CorruptStoreError naming the file when any of them cannot be read (nothing is written
 * then), or StoreIoError naming the file and the errno code when the file system refuses.
 */
export async function openStorage<C = unknown>(options: OpenStorageOptions): Promise<Storage<C>> {
  const dataDir = path.resolve(options.dataDir)
  await prepareDataDir(dataDir, options.logger)
  const { clock, logger, health } = options
  const lock = await lockDataDir(dataDir, {
    // The lock could not be refreshed for a long while (a frozen machine, a file system gone
    // read-only): another process may now take DATA_DIR. Say so loudly; /healthz reports it.
    onLost: (e) => {
      logger.error({ event: 'data_dir.lock_lost', code: ioCode(e), dataDir }, 'DATA_DIR lock lost')
      health?.failed(dataDir, e, async () => undefined)
    },
  })
  try {
    const requests = await FileRequestRepository.open({ dir: path.join(dataDir, 'requests'), clock, logger, health })
    const conversations = await JournaledConversationStore.open<C>(path.join(dataDir, 'conversations.json'), clock, { logger, health })
    const preferences = await openPreferencesStore(path.join(dataDir, 'preferences.json'), clock, health)
    const keyed = keyedStores((name) => JsonKeyValueStore.open(path.join(dataDir, `${name}.json`), clock, { health }))
    return {
      requests,
      conversations,
      preferences,
      keyed: keyed.open,
      async close() {
        try {
          await Promise.all([requests.close(), conversations.close(), preferences.close(), keyed.close()])
        } finally {
          await lock.release()
        }
      },
    }
  } catch (e) {
    await lock.release()
    throw e
  }
}

/**
 * Creates DATA_DIR (mode 0700) when missing. An existing one keeps the mode its owner gave it;
 * say so when others can read it.
 */
export async function prepareDataDir(dataDir: string, logger: Logger): Promise<void> {
  try {
    await ensureDir(dataDir)
    const mode = (await stat(dataDir)).mode & 0o777
    if (mode & 0o077) logger.warn({ event: 'data_dir.open_to_others', dataDir, mode: mode.toString(8) }, 'DATA_DIR is accessible to other users; 0700 is recommended')
  } catch (e) {
    throw StoreIoError.wrap(e, dataDir, 'create')
  }
}

/** The same bundle held in memory, for unit tests of the assistant core. */
export function openMemoryStorage<C = unknown>(clock: Clock): Storage<C> {
  return {
    requests: new MemoryRequestRepository({ clock }),
    conversations: new MemoryKeyValueStore<C>(clock),
    preferences: memoryPreferencesStore(clock),
    keyed: keyedStores(async () => new MemoryKeyValueStore(clock)).open,
    async close() {},
  }
}

/** Keyed stores opened on first use, one per name, and closed together. */
export function keyedStores(open: (name: string) => Promise<ConversationStore<unknown>>): {
  open<T>(name: string): Promise<ConversationStore<T>>
  close(): Promise<void>
} {
  const opened = new Map<string, Promise<ConversationStore<unknown>>>()
  return {
    open<T>(name: string) {
      if (!opened.has(name)) opened.set(name, open(name))
      return opened.get(name)! as Promise<ConversationStore<T>>
    },
    async close() {
      const stores = await Promise.allSettled(opened.values())
      await Promise.all(stores.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)))
    },
  }
}
