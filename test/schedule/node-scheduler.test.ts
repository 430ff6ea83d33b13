import { describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import { silentLogger } from '../../src/log.js'
import { NodeScheduler } from '../../src/schedule/scheduler.js'

const waitFor = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('NodeScheduler (node-schedule)', () => {
  it('runs one-off jobs at their time, runs past ones at once, and replaces or cancels by key', async () => {
    const s = new NodeScheduler(systemClock, silentLogger())
    const ran: string[] = []
    s.at('soon', new Date(Date.now() + 150), () => void ran.push('soon'))
    s.at('past', new Date(Date.now() - 60_000), () => void ran.push('past'))
    s.at('replaced', new Date(Date.now() + 100), () => void ran.push('old'))
    s.at('replaced', new Date(Date.now() + 120), () => void ran.push('new'))
    s.at('cancelled', new Date(Date.now() + 100), () => void ran.push('cancelled'))
    s.cancel('cancelled')
    await waitFor(() => ran.length >= 3)
    await new Promise((r) => setTimeout(r, 100))
    expect(ran.sort()).toEqual(['new', 'past', 'soon'])
    expect(s.pendingKeys()).toEqual([])
    await s.stop()
  })

  it('keeps running after a task throws, and stop() cancels daily jobs', async () => {
    const s = new NodeScheduler(systemClock, silentLogger())
    const ran: string[] = []
    s.at('boom', new Date(Date.now() + 20), () => {
      throw new Error('boom')
    })
    s.at('after', new Date(Date.now() + 60), () => void ran.push('after'))
    s.daily('digest', { hour: 9, minute: 0, tz: 'Asia/Shanghai' }, () => void ran.push('digest'))
    await waitFor(() => ran.includes('after'))
    expect(s.pendingKeys()).toEqual(['digest'])
    await s.stop()
    expect(s.pendingKeys()).toEqual([])
  })
})
