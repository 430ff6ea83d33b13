import { spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import { silentLogger } from '../../src/log.js'
import { openStorage } from '../../src/storage/open.js'
import { tempDataDir } from '../support/temp-data-dir.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const child = path.join(root, 'test/fixtures/storage-crash-child.ts')

/** Runs the child and SIGKILLs it once `killAfter` ids were printed (or DONE); returns the printed ids. */
function runAndKill(dataDir: string, killAfter: number | 'done'): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, '40'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    const ids: string[] = []
    let buffer = ''
    let stderr = ''
    let killed = false
    proc.stdout.setEncoding('utf8')
    proc.stdout.on('data', (chunk: string) => {
      buffer += chunk
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        if (line.startsWith('PR-')) ids.push(line)
        const stop = killAfter === 'done' ? line === 'DONE' : ids.length >= killAfter
        if (stop && !killed) {
          killed = true
          proc.kill('SIGKILL')
        }
      }
    })
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    proc.on('error', reject)
    proc.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited without being killed: ${stderr}`))
      // Lines read after the kill decision were printed by resolved creates too: keep them.
      for (const line of buffer.split('\n')) if (line.startsWith('PR-')) ids.push(line)
      resolve(ids)
    })
  })
}

describe('crash safety', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ dataDir, cleanup } = await tempDataDir())
  })
  afterEach(async () => cleanup())

  it.each([1, 5, 20, 'done' as const])('every acknowledged id survives SIGKILL (kill after %s)', async (killAfter) => {
    const printed = await runAndKill(dataDir, killAfter)
    if (killAfter === 'done') expect(printed).toHaveLength(40)
    else expect(printed.length).toBeGreaterThanOrEqual(killAfter)

    // Every file left behind parses.
    const files = (await readdir(path.join(dataDir, 'requests'))).filter((n) => !n.startsWith('.'))
    expect(files).toContain('journal.ndjson')
    for (const name of files.filter((n) => n.endsWith('.json'))) JSON.parse(await readFile(path.join(dataDir, 'requests', name), 'utf8'))
    // Journal lines parse too; only the last may be cut short by the kill.
    const lines = (await readFile(path.join(dataDir, 'requests', 'journal.ndjson'), 'utf8')).split('\n').slice(0, -1)
    for (const line of lines) JSON.parse(line)
    JSON.parse(await readFile(path.join(dataDir, 'conversations.json'), 'utf8').catch(() => '{}'))

    const storage = await openStorage({ dataDir, clock: systemClock, logger: silentLogger() })
    for (const id of printed) expect(await storage.requests.get(id), id).toBeDefined()
    // Reopening cleaned up the temp files of the interrupted write.
    expect((await readdir(path.join(dataDir, 'requests'))).filter((n) => n.endsWith('.tmp'))).toEqual([])
    await storage.close()
  })
})
