/** Scaffolding for outbox tests: a temp data dir, held notices on disk, a client for the stand-in. */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { createHeldNotices } from '../../src/assistant/held-notices.js'
import type { HeldNotices } from '../../src/assistant/notifier.js'
import { WechatApiClient } from '../../src/channels/wechat-api/client.js'
import { silentLogger } from '../../src/log.js'
import { JsonKeyValueStore } from '../../src/storage/key-value-store.js'
import { FAKE_APP_ID, FAKE_APP_SECRET, type FakeWechatApi } from '../support/fake-wechat-api.js'
import { TestClock } from '../support/test-clock.js'
import { tempDataDir } from '../support/temp-data-dir.js'


export const ALICE = { channel: 'wechat-oa', userId: 'oAlice_openid_0001' } as const
export const BOB = { channel: 'wechat-oa', userId: 'oBob_openid_0002' } as const

/** Fast retries so tests do not wait on production backoff. */
export const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 50, maxAgeMs: 3600_000 }

export interface Env {
  readonly dataDir: string
  readonly outboxFile: string
  readonly clock: TestClock
  readonly held: HeldNotices
  cleanup(): Promise<void>
}

export async function makeEnv(): Promise<Env> {
  const tmp = await tempDataDir()
  const clock = new TestClock(new Date('2026-11-29T02:00:00Z'))
  const heldStore = await JsonKeyValueStore.open<{ texts: string[] }>(path.join(tmp.dataDir, 'held-notices.json'), clock)
  return {
    dataDir: tmp.dataDir,
    outboxFile: path.join(tmp.dataDir, 'outbox.json'),
    clock,
    held: createHeldNotices(heldStore),
    cleanup: async () => {
      await heldStore.close()
      await tmp.cleanup()
    },
  }
}

export function apiClient(baseUrl: string, clock: TestClock): WechatApiClient {
  return new WechatApiClient({
    apiBase: baseUrl,
    appId: FAKE_APP_ID,
    appSecret: FAKE_APP_SECRET,
    clock,
    logger: silentLogger(),
    timeoutMs: 2000,
    retries: { attempts: 2, baseDelayMs: 5 },
  })
}

/** The outbox file's items as stored on disk (empty when the file does not exist yet). */
export async function itemsOnDisk(file: string): Promise<{ text: string; to: { userId: string }; attempts: number }[]> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as { items: Record<string, { text: string; to: { userId: string }; attempts: number }> }
    return Object.values(data.items)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
}

export const texts = (api: FakeWechatApi, userId: string): string[] => api.messages.filter((m) => m.touser === userId).map((m) => m.content)
