import { describe, expect, it } from 'vitest'
import type { Lang } from '../../src/lang.js'
import { cleanText, normalizeText } from '../../src/assistant/normalize.js'
import type { Conversation } from '../../src/assistant/rights/conversation.js'
import { classify, type Facts } from '../../src/assistant/rights/input.js'
import { step } from '../../src/assistant/rights/machine.js'

/** The conversation as a pure transition: no store, no policy, no clock — state and a classified message in, plan out. */

const NOW = new Date('2026-11-29T02:00:00Z')
const EARLIER = '2026-11-29T01:50:00.000Z'
const from = { channel: 'wechat-oa', userId: 'user-1' }

const input = (raw: string, lang: Lang, facts: Partial<Facts> = {}) =>
  classify({ text: normalizeText(raw), rawText: cleanText(raw), lang }, { from, answerable: () => false, hasMorePages: false, ...facts })

function conversation(more: Partial<Conversation>): Conversation {
  return { v: 1, mode: 'collect', type: 'delete', lang: 'zh', fields: { details: {} }, startedAt: EARLIER, updatedAt: EARLIER, ...more }
}

const atSummary = conversation({ mode: 'confirm', lang: 'en', fields: { name: 'Ann Lee', email: 'ann@example.org', companySkipped: true, details: {} } })

describe('the rights conversation as a transition', () => {
  it('a control word at the name prompt keeps the state and asks again', () => {
    const state = conversation({ awaiting: 'name' })
    const next = step(state, input('确认', 'zh'), NOW)
    expect(next.state).toEqual({ ...state, updatedAt: NOW.toISOString() })
    expect(next.effects).toEqual([{ kind: 'save', convo: next.state }])
    expect(next.reply).toEqual({ kind: 'say', parts: [{ kind: 'text', text: '这看起来不像姓名。请告诉我您的姓名（全名）。' }] })
  })

  it('a name the policy would answer is a question, not a name: answered, then the prompt again', () => {
    const state = conversation({ awaiting: 'name', lang: 'en' })
    const next = step(state, input('cookies', 'en', { answerable: () => true }), NOW)
    expect(next.reply).toEqual({ kind: 'resume', answer: { kind: 'policy' }, prompt: 'Please tell me your full name.', lang: 'en' })
    expect(next.state).toMatchObject({ awaiting: 'name', fields: { details: {} } })
  })

  it('yes at the summary files the request, then forgets the conversation', () => {
    const next = step(atSummary, input('yes', 'en'), NOW)
    expect(next.state).toBeUndefined()
    expect(next.effects).toEqual([
      {
        kind: 'file',
        request: { kind: 'rights', type: 'delete', channel: 'wechat-oa', userId: 'user-1', personal: { name: 'Ann Lee', email: 'ann@example.org', phone: undefined, company: undefined, details: {} } },
        audit: { actor: 'user', action: 'created', note: 'delete' },
        failed: 'Sorry, your request could not be saved yet and has not been submitted. Please reply “yes” again in a moment.',
      },
      { kind: 'delete', bestEffort: true },
    ])
    expect(next.reply).toEqual({ kind: 'say', parts: [{ kind: 'filed', type: 'delete', lang: 'en' }] })
  })

  it('a question at the summary is answered without touching the conversation', () => {
    expect(step(atSummary, input('do you sell my data?', 'en', { answerable: () => true }), NOW)).toEqual({
      state: 'unchanged',
      reply: { kind: 'resume', answer: { kind: 'policy' }, prompt: 'Please reply “yes” to submit or “cancel” to drop it; or send a value to change.', lang: 'en' },
      effects: [],
    })
  })

  it('the correct value given with what is wrong is kept, and not asked for again', () => {
    const state = conversation({ type: 'correct', awaiting: 'details.what', fields: { name: '张三', phone: '13800138000', companySkipped: true, details: {} } })
    const next = step(state, input('应该是 13900139000', 'zh'), NOW)
    const expected = { mode: 'confirm', awaiting: undefined, fields: { details: { what: '应该是 13900139000', correction: '13900139000' } } }
    expect(next.state).toMatchObject(expected)
    expect(next.reply).toEqual({ kind: 'say', parts: [{ kind: 'summary', convo: { ...(next.state as Conversation), updatedAt: EARLIER } }] })
  })

  it('cancel deletes the conversation and logs it', () => {
    const next = step(conversation({ awaiting: 'contact' }), input('取消', 'zh'), NOW)
    expect(next.state).toBeUndefined()
    expect(next.effects).toEqual([{ kind: 'delete' }, { kind: 'log', entry: { event: 'conversation.cancelled', type: 'delete' } }])
    expect(next.reply).toEqual({ kind: 'say', parts: [{ kind: 'text', text: '已取消，没有提交任何申请。还有什么可以帮您？' }] })
  })

  it('a number at the rights menu replaces the menu with that request, within the open-request limit', () => {
    const next = step(conversation({ mode: 'choose', type: undefined }), input('5', 'zh'), NOW)
    expect(next.effects.map((e) => e.kind)).toEqual(['delete', 'forgetOffer', 'requireCapacity', 'log', 'save'])
    expect(next.state).toMatchObject({ mode: 'collect', type: 'delete', awaiting: 'name', startedAt: NOW.toISOString() })
  })

  it('an opt-out records the preference and files a closed request, with no conversation', () => {
    const next = step(undefined, input('退订', 'zh'), NOW)
    expect(next.state).toBeUndefined()
    expect(next.effects).toEqual([
      { kind: 'forgetOffer' },
      { kind: 'recordOptOut', at: NOW.toISOString(), failed: expect.stringContaining('退订暂时未能完成记录') },
      expect.objectContaining({ kind: 'file', request: { kind: 'rights', type: 'marketing-opt-out', ...from, personal: null, state: 'closed' } }),
    ])
  })

  it('just after a timeout, "取消" gets only the note; a new request gets the note before it', () => {
    expect(step(undefined, input('取消', 'zh', { expired: 'zh' }), NOW)).toMatchObject({ state: 'unchanged', effects: [], reply: { kind: 'say', parts: [{ text: expect.stringContaining('已失效') }] } })
    expect(step(undefined, input('Delete my data', 'en', { expired: 'zh' }), NOW).note).toMatch(/已失效/)
    expect(step(undefined, input('what are cookies', 'en'), NOW)).toEqual({ state: 'unchanged', reply: { kind: 'pass' }, effects: [] })
  })

  it('never changes the conversation it is given', () => {
    const frozen = (c: Conversation): Conversation => Object.freeze({ ...c, fields: Object.freeze({ ...c.fields, details: Object.freeze({ ...c.fields.details }) }) })
    const state = frozen(conversation({ awaiting: 'company', lang: 'en', fields: { name: 'Ann Lee', email: 'ann@example.org', details: {} } }))
    for (const text of ['skip', 'change name', 'Acme Ltd', 'change email to b@example.org', 'cancel']) expect(() => step(state, input(text, 'en'), NOW)).not.toThrow()
    expect(state.fields).toEqual({ name: 'Ann Lee', email: 'ann@example.org', details: {} })
  })
})
