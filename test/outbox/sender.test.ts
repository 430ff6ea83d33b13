import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WechatNetworkError } from '../../src/channels/wechat-api/errors.js'
import { UndeliverableError, WindowClosedError } from '../../src/outbox/errors.js'
import { TEMPLATE_REMARK, wechatOaSender } from '../../src/outbox/sender.js'
import { startFakeWechatApi, type FakeWechatApi } from '../support/fake-wechat-api.js'
import { ALICE, apiClient } from './helpers.js'
import { TestClock } from '../support/test-clock.js'

const template = { title: 'Your request was answered', requestId: 'PR-20261129-ABC123', status: 'replied' }
let api: FakeWechatApi
beforeEach(async () => {
  api = await startFakeWechatApi()
})
afterEach(async () => api.close())

const sender = (templateId?: string) => wechatOaSender(apiClient(api.baseUrl, new TestClock(new Date('2026-11-29T02:00:00Z'))), templateId)

describe('wechatOaSender', () => {
  it('sends the text, then the template with first / keyword1 / keyword2 / remark', async () => {
    await sender('TPL').send(ALICE, 'hello', { template })
    expect(api.messages).toEqual([{ touser: ALICE.userId, content: 'hello' }])
    expect(api.templates).toEqual([
      { touser: ALICE.userId, templateId: 'TPL', data: { first: template.title, keyword1: template.requestId, keyword2: 'replied', remark: TEMPLATE_REMARK } },
    ])
  })

  it('sends no template without a template id or without template details', async () => {
    await sender().send(ALICE, 'a', { template })
    await sender('TPL').send(ALICE, 'b')
    expect(api.templates).toEqual([])
    expect(api.messages).toHaveLength(2)
  })

  it.each([45015, 45047, 43004])('maps %i to WindowClosedError, after trying the template', async (errcode) => {
    api.failNext({ errcode })
    const error = await sender('TPL').send(ALICE, 'x', { template }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowClosedError)
    expect(error).toMatchObject({ code: errcode })
    expect(api.templates).toHaveLength(1)
  })

  it.each([40003, 45002, 48001])('maps %i to UndeliverableError', async (errcode) => {
    api.failNext({ errcode })
    await expect(sender().send(ALICE, 'x')).rejects.toBeInstanceOf(UndeliverableError)
  })

  it('passes transient failures through for the outbox to retry', async () => {
    api.setDown(true)
    await expect(sender().send(ALICE, 'x')).rejects.toBeInstanceOf(WechatNetworkError)
    api.setDown(false)
    api.failNext({ errcode: -1 }, 2)
    await expect(sender().send(ALICE, 'x')).rejects.toMatchObject({ name: 'WechatApiError', errcode: -1 })
  })

  it('alert() sends only the template and never throws', async () => {
    const s = sender('TPL')
    await s.alert!(ALICE, { template })
    expect(api.templates).toHaveLength(1)
    expect(api.calls.custom).toBe(0)
    api.failNext({ errcode: 43004 }, 1, 'template')
    await expect(s.alert!(ALICE, { template })).resolves.toBeUndefined()
  })
})
