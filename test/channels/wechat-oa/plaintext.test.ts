import { describe, expect, it } from 'vitest'
import { FakeAssistant } from '../../support/fake-assistant.js'
import { ACCOUNT, NOW_SECONDS, TOKEN, USER, harness, messageXml, parseReply, sha1Sorted, textXml } from './helpers.js'

describe('GET /wechat URL verification', () => {
  const verifyUrl = (signature: string, extra = ''): string =>
    `/wechat?signature=${signature}&timestamp=1700000000&nonce=42&echostr=hello-echo${extra}`

  it('echoes echostr as text/plain when the signature is right', async () => {
    const { agent } = harness()
    const res = await agent.get(verifyUrl(sha1Sorted([TOKEN, '1700000000', '42'])))
    expect(res.status).toBe(200)
    expect(res.text).toBe('hello-echo')
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
  })

  it('refuses a forged signature with 401 and does not echo', async () => {
    const { agent } = harness()
    const res = await agent.get(verifyUrl(sha1Sorted(['wrong', '1700000000', '42'])))
    expect(res.status).toBe(401)
    expect(res.text).not.toContain('hello-echo')
  })

  it('refuses missing parameters with 401', async () => {
    const { agent } = harness()
    expect((await agent.get('/wechat?echostr=x')).status).toBe(401)
    expect((await agent.get('/wechat')).status).toBe(401)
    expect((await agent.get('/wechat?signature=abc&timestamp=1&echostr=x')).status).toBe(401)
  })
})

describe('POST /wechat plaintext messages', () => {
  it('answers a text message with a passive text reply, users swapped, content in CDATA', async () => {
    const h = harness({ assistant: new FakeAssistant(async () => ({ text: '你好 <b>&amp; "]]>" end' })) })
    const res = await h.post(textXml('我的数据如何被使用？'))
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/xml/)
    expect(res.text).toContain('<Content><![CDATA[')
    const reply = parseReply(res.text)
    expect(reply).toMatchObject({ ToUserName: USER, FromUserName: ACCOUNT, MsgType: 'text', CreateTime: String(NOW_SECONDS) })
    expect(reply.Content).toBe('你好 <b>&amp; "]]>" end')
    expect(h.assistant.calls).toHaveLength(1)
    expect(h.assistant.calls[0]).toMatchObject({ channel: 'wechat-oa', userId: USER, kind: 'text', text: '我的数据如何被使用？' })
    expect(h.assistant.calls[0]?.receivedAt.getTime()).toBe(NOW_SECONDS * 1000)
  })

  it('keeps number-looking text as a string', async () => {
    const h = harness()
    await h.post(textXml('0012'))
    expect(h.assistant.calls[0]?.text).toBe('0012')
  })

  it('answers a user who types XML declarations into the chat (it arrives in CDATA)', async () => {
    const h = harness()
    const res = await h.post(textXml('<!DOCTYPE html> <!ENTITY x "y">'))
    expect(res.status).toBe(200)
    expect(h.assistant.calls[0]?.text).toBe('<!DOCTYPE html> <!ENTITY x "y">')
  })

  it('turns recognised voice into text, and unrecognised voice into kind voice', async () => {
    const h = harness()
    await h.post(messageXml({ MsgType: 'voice', MediaId: 'm1', Format: 'amr', Recognition: '删除我的信息', MsgId: '1' }))
    await h.post(messageXml({ MsgType: 'voice', MediaId: 'm2', Format: 'amr', Recognition: '', MsgId: '2' }))
    await h.post(messageXml({ MsgType: 'voice', MediaId: 'm3', Format: 'amr', MsgId: '3' }))
    expect(h.assistant.calls.map((c) => [c.kind, c.text])).toEqual([
      ['text', '删除我的信息'],
      ['voice', ''],
      ['voice', ''],
    ])
  })

  it.each([
    ['image', { PicUrl: 'http://x/p.jpg', MediaId: 'm' }, 'image'],
    ['video', { MediaId: 'm', ThumbMediaId: 't' }, 'video'],
    ['shortvideo', { MediaId: 'm', ThumbMediaId: 't' }, 'video'],
    ['location', { Location_X: '23.13', Location_Y: '113.26', Scale: '20', Label: '广州' }, 'location'],
    ['link', { Title: 't', Description: 'd', Url: 'https://example.com' }, 'link'],
    ['file', { Title: 'a.pdf', Description: 'd', FileKey: 'k', FileMd5: 'm', FileTotalLen: '10' }, 'file'],
  ])('passes a %s message to the assistant as kind %s and returns its reply', async (msgType, extra, kind) => {
    const h = harness()
    const res = await h.post(messageXml({ MsgType: msgType, ...extra, MsgId: '77' }))
    expect(res.status).toBe(200)
    expect(parseReply(res.text).Content).toBe(`kind:${kind}`)
    expect(h.assistant.calls).toEqual([expect.objectContaining({ kind, text: '', userId: USER })])
  })

  it('passes subscribe (plain and via QR scene) to the assistant', async () => {
    const h = harness()
    const res = await h.post(messageXml({ MsgType: 'event', Event: 'subscribe' }))
    expect(parseReply(res.text).Content).toBe('kind:subscribe')
    h.clock.seconds += 1
    await h.post(messageXml({ MsgType: 'event', Event: 'subscribe', EventKey: 'qrscene_123', Ticket: 'T', CreateTime: NOW_SECONDS + 1 }))
    expect(h.assistant.calls.map((c) => c.kind)).toEqual(['subscribe', 'subscribe'])
  })

  it('tells the assistant about unsubscribe and answers "success" when it says nothing', async () => {
    const h = harness({ assistant: new FakeAssistant(async () => null) })
    const res = await h.post(messageXml({ MsgType: 'event', Event: 'unsubscribe' }))
    expect(res.status).toBe(200)
    expect(res.text).toBe('success')
    expect(h.assistant.calls.map((c) => c.kind)).toEqual(['unsubscribe'])
  })

  it('maps a menu CLICK to kind menu with its key', async () => {
    const h = harness()
    const res = await h.post(messageXml({ MsgType: 'event', Event: 'CLICK', EventKey: 'PRIVACY_POLICY' }))
    expect(parseReply(res.text).Content).toBe('kind:menu')
    expect(h.assistant.calls[0]).toMatchObject({ kind: 'menu', menuKey: 'PRIVACY_POLICY', text: '' })
  })

  it.each([
    messageXml({ MsgType: 'miniprogrampage', MsgId: '9' }),
    messageXml({ MsgType: 'event', Event: 'VIEW', EventKey: 'https://jiku.example' }),
    messageXml({ MsgType: 'event', Event: 'SCAN', EventKey: '123' }),
    messageXml({ MsgType: 'event', Event: 'LOCATION', Latitude: '1', Longitude: '2', Precision: '3' }),
    messageXml({ MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', Status: 'success' }),
    messageXml({ MsgType: 'event', Event: 'MASSSENDJOBFINISH' }),
    '<xml><Foo>bar</Foo></xml>',
    '<xml/>',
  ])('answers "success" without asking the assistant for unknown types and events (%#)', async (body) => {
    const h = harness()
    const res = await h.post(body)
    expect(res.status).toBe(200)
    expect(res.text).toBe('success')
    expect(h.assistant.calls).toHaveLength(0)
  })

  it('apologises (bilingual, no stack trace) when the assistant throws', async () => {
    const h = harness({ assistant: new FakeAssistant(async () => Promise.reject(new Error('db exploded at /srv/x.ts:1'))) })
    const res = await h.post(textXml('hi'))
    expect(res.status).toBe(200)
    const content = parseReply(res.text).Content
    expect(content).toContain('抱歉')
    expect(content).toContain('Sorry')
    expect(res.text).not.toMatch(/exploded|\.ts:|at /)
  })

  it('shortens replies beyond WeChat\'s 2048-byte limit', async () => {
    const h = harness({ assistant: new FakeAssistant(async () => ({ text: '隐'.repeat(2000) })) })
    const content = parseReply((await h.post(textXml('long'))).text).Content ?? ''
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(2048)
    expect(content.endsWith('…')).toBe(true)
  })
})
