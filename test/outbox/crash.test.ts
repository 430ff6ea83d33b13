import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { silentLogger } from '../../src/log.js'
import { createOutbox } from '../../src/outbox/outbox.js'
import { wechatOaSender } from '../../src/outbox/sender.js'
import { startFakeWechatApi, type FakeWechatApi } from '../support/fake-wechat-api.js'
import { ALICE, FAST_RETRY, apiClient, itemsOnDisk, makeEnv, texts, type Env } from './helpers.js'

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'outbox-crash-child.ts')

let api: FakeWechatApi
let env: Env
beforeEach(async () => {
  api = await startFakeWechatApi()
  env = await makeEnv()
})
afterEach(async () => {
  await api.close()
  await env.cleanup()
})

it('a message in flight when the process is SIGKILLed is delivered after the restart, once', async () => {
  // The first send hangs at "WeChat", so the process dies with the message sent but unanswered.
  api.failNext({ delayMs: 30_000 })
  const proc = spawn(process.execPath, ['--import', 'tsx', child, env.outboxFile, path.join(env.dataDir, 'held-notices.json'), api.baseUrl], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()))
  await vi.waitFor(() => expect(out).toContain('notified:queued'), { timeout: 15_000, interval: 50 })
  expect(api.calls.custom).toBe(1)
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  proc.kill('SIGKILL')
  await exited

  expect((await itemsOnDisk(env.outboxFile)).map((i) => i.text)).toEqual(['reply that must survive a crash'])
  const outbox = await createOutbox({
    file: env.outboxFile,
    clock: env.clock,
    logger: silentLogger(),
    held: env.held,
    senders: { 'wechat-oa': wechatOaSender(apiClient(api.baseUrl, env.clock)) },
    retry: FAST_RETRY,
  })
  outbox.start()
  expect(await outbox.drain(5000)).toBe(true)
  await outbox.close()
  expect(texts(api, ALICE.userId)).toEqual(['reply that must survive a crash'])
  expect(await itemsOnDisk(env.outboxFile)).toEqual([])
})
