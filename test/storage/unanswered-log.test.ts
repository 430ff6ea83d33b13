import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { groupQuestions } from '../../src/assistant/unanswered-report.js'
import { silentLogger } from '../../src/log.js'
import { maskPersonalData } from '../../src/personal-data.js'
import { FileUnansweredLog, readUnanswered } from '../../src/storage/unanswered-log.js'
import { tempDataDir } from '../support/temp-data-dir.js'

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50))

describe('questions the policy could not answer', () => {
  let dataDir: string
  let cleanup: () => Promise<void>
  let dir: string
  beforeEach(async () => {
    ;({ dataDir, cleanup } = await tempDataDir())
    dir = path.join(dataDir, 'unanswered')
  })
  afterEach(async () => cleanup())

  it('keeps each one masked, without who asked, in a file per Shanghai day', async () => {
    const log = new FileUnansweredLog(dir, silentLogger())
    log.record('我叫王小明，手机13800138000，身份证110101199003074512，你们几点下班？', 'zh', new Date('2026-11-30T15:30:00Z'))
    log.record('my name is Ann Lee, ann.lee@example.com — do you sell laptops?', 'en', new Date('2026-11-30T16:30:00Z'))
    await settle()
    await log.close()
    // 15:30Z is 23:30 in Shanghai; 16:30Z is already the next day there.
    expect((await readdir(dir)).sort()).toEqual(['2026-11-30.ndjson', '2026-12-01.ndjson'])
    const raw = (await readFile(path.join(dir, '2026-11-30.ndjson'), 'utf8')) + (await readFile(path.join(dir, '2026-12-01.ndjson'), 'utf8'))
    expect(raw).not.toMatch(/王小明|13800138000|110101199003074512|Ann Lee|ann\.lee@example\.com/)
    expect(raw).toContain('你们几点下班')
    expect(raw).toContain('do you sell laptops?')
    expect(raw).not.toMatch(/userId|openid/i)
    const kept = await readUnanswered(dir, new Date('2026-11-01T00:00:00Z'))
    expect(kept.map((k) => k.lang)).toEqual(['zh', 'en'])
  })

  it('purges whole days past the retention and reads only what is within it', async () => {
    const log = new FileUnansweredLog(dir, silentLogger())
    log.record('old question', 'en', new Date('2026-08-01T04:00:00Z'))
    log.record('recent question', 'en', new Date('2026-11-29T04:00:00Z'))
    await settle()
    expect(await log.purgeBefore(new Date('2026-09-01T00:00:00Z'))).toBe(1)
    await log.close()
    expect((await readUnanswered(dir, new Date('2026-01-01T00:00:00Z'))).map((k) => k.q)).toEqual(['recent question'])
  })

  it('reads beside a writer, skipping a line being written', async () => {
    const log = new FileUnansweredLog(dir, silentLogger())
    log.record('parking?', 'en', new Date('2026-11-29T04:00:00Z'))
    const file = path.join(dir, '2026-11-29.ndjson')
    // Recording is in the background: wait for the line, however busy the machine is.
    for (let i = 0; i < 200 && !(await readFile(file, 'utf8').catch(() => '')).includes('parking?'); i++) await settle()
    await writeFile(file, `${await readFile(file, 'utf8')}{"q":"half`)
    expect((await readUnanswered(dir, new Date('2026-11-01T00:00:00Z'))).map((k) => k.q)).toEqual(['parking?'])
    await log.close()
  })

  it('groups the same question however it is spelled, most frequent first', () => {
    const groups = groupQuestions([
      { q: '你们几点下班？', lang: 'zh', at: '2026-11-29T01:00:00Z' },
      { q: 'Do you sell laptops?', lang: 'en', at: '2026-11-29T02:00:00Z' },
      { q: '你们几点下班', lang: 'zh', at: '2026-11-29T03:00:00Z' },
      { q: '你们 几点下班!!', lang: 'zh', at: '2026-11-29T04:00:00Z' },
    ])
    expect(groups.map((g) => [g.count, g.example])).toEqual([
      [3, '你们 几点下班!!'],
      [1, 'Do you sell laptops?'],
    ])
  })

  it('masks e-mails, phones, ID cards, long numbers and labelled names, and keeps the question', () => {
    expect(maskPersonalData('我叫张三，你们会卖我信息吗')).toBe('我叫[name]，你们会卖我信息吗')
    expect(maskPersonalData('my name is Ann Lee and my email is ann@x.com')).toBe('my name is [name] and my email is [email]')
    expect(maskPersonalData('call +44 7700 900123 or 138-0013-8000')).toBe('call [phone] or [phone]')
    expect(maskPersonalData('订单号 2026113012345 的发票')).toBe('订单号 [number] 的发票')
    expect(maskPersonalData('I am worried about the name of your cloud')).toBe('I am worried about the name of your cloud')
  })
})
