import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { Clock } from '../assistant/types.js'
import type { Logger } from '../log.js'
import { MemoryRequestRepository } from '../requests/memory-repository.js'
import type { RequestRepository } from '../requests/repository.js'
import { MemoryConversationStore, type ConversationStore } from './conversation-store.js'
import { JournaledConversationStore } from './journaled-store.js'
import { FileRequestRepository } from './file-request-repository.js'
import { ensureDir } from './fs-utils.js'
import { memoryPreferencesStore, openPreferencesStore, type PreferencesStore } from './preferences-store.js'

/** Everything the assistant persists. */
export interface Storage<C = unknown> {
  readonly requests: RequestRepository
  readonly conversations: ConversationStore<C>
  readonly preferences: PreferencesStore
  /** Flushes pending writes of every store. */
  close(): Promise<void>
}

export interface OpenStorageOptions {
  dataDir: string
  clock: Clock
  logger: Logger
}

/**
 * Opens (creating when missing, mode 0700) DATA_DIR with:
 *   requests/YYYY-MM.json  — rights requests by Shanghai creation month
 *   conversations.json     — active conversations only (snapshot), with conversations.journal
 *                            holding the turns since, one appended line each
 *   preferences.json       — marketing opt-out and unsubscribe records
 * Throws CorruptStoreError naming the file when any of them cannot be read; nothing is written then.
 */
export async function openStorage<C = unknown>(options: OpenStorageOptions): Promise<Storage<C>> {
  const dataDir = path.resolve(options.dataDir)
  await ensureDir(dataDir)
  // An existing DATA_DIR keeps the mode its owner gave it; say so when others can read it.
  const mode = (await stat(dataDir)).mode & 0o777
  if (mode & 0o077) options.logger.warn({ dataDir, mode: mode.toString(8) }, 'DATA_DIR is accessible to other users; 0700 is recommended')
  const requests = await FileRequestRepository.open({ dir: path.join(dataDir, 'requests'), clock: options.clock, logger: options.logger })
  const conversations = await JournaledConversationStore.open<C>(path.join(dataDir, 'conversations.json'), options.clock)
  const preferences = await openPreferencesStore(path.join(dataDir, 'preferences.json'), options.clock)
  return {
    requests,
    conversations,
    preferences,
    async close() {
      await Promise.all([requests.close(), conversations.close(), preferences.close()])
    },
  }
}

/** The same bundle held in memory, for unit tests of the assistant core. */
export function openMemoryStorage<C = unknown>(clock: Clock): Storage<C> {
  return {
    requests: new MemoryRequestRepository({ clock }),
    conversations: new MemoryConversationStore<C>(clock),
    preferences: memoryPreferencesStore(clock),
    async close() {},
  }
}
