import { describe, expect, it } from 'vitest'
import { safeEqual } from '../../../src/safe-equal.js'
import { WechatCrypto, decodeAesKey, pkcs7PadLength, pkcs7Unpad } from '../../../src/channels/wechat-oa/crypto.js'
import { ReplyDedupe, dedupeKey } from '../../../src/channels/wechat-oa/dedupe.js'
import { WechatProtocolError } from '../../../src/channels/wechat-oa/errors.js'
import { toIncoming } from '../../../src/channels/wechat-oa/message.js'
import { messageSignature, requestSignature } from '../../../src/channels/wechat-oa/signature.js'
import { buildTextReplyXml, cdata, declaresDoctypeOrEntity, parseWechatXml } from '../../../src/channels/wechat-oa/xml.js'
import { clipReply } from '../../../src/reply-size.js'
import { AES_KEY, PREVIOUS_AES_KEY, parseReply, sha1Sorted, NOW } from './helpers.js'
import { TestClock } from '../../support/test-clock.js'

/** Vectors published with WeChat's official WXBizMsgCrypt samples. */
const SAMPLE = {
  key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  encrypted: 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
  appId: 'wxb11529c136998cb6',
  message: '我是中文abcd123',
  random: 'aaaabbbbccccdddd',
  inbound:
    'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=',
  inboundAppId: 'wx2c2769f8efd9abc2',
  inboundSignature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
}

describe('signature', () => {
  it('matches WeChat\'s sample msg_signature and a sorted sha1', () => {
    expect(messageSignature('spamtest', '1409735669', '1320562132', SAMPLE.inbound)).toBe(SAMPLE.inboundSignature)
    expect(requestSignature('t', '2', '1')).toBe(sha1Sorted(['t', '2', '1']))
  })
  it('compares in constant time and treats different lengths as unequal without throwing', () => {
    expect(safeEqual('abc', 'abc')).toBe(true)
    expect(safeEqual('abc', 'abd')).toBe(false)
    expect(safeEqual('abc', 'abcd')).toBe(false)
    expect(safeEqual('abc', '')).toBe(false)
  })
})

describe('crypto', () => {
  it('reproduces WeChat\'s published encryption vector', () => {
    const c = new WechatCrypto({ encodingAesKey: SAMPLE.key, appId: SAMPLE.appId })
    expect(c.encrypt(SAMPLE.message, Buffer.from(SAMPLE.random))).toBe(SAMPLE.encrypted)
    expect(c.decrypt(SAMPLE.encrypted)).toEqual({ message: SAMPLE.message, appId: SAMPLE.appId, key: 'current' })
  })
  it('decrypts WeChat\'s published inbound message', () => {
    const c = new WechatCrypto({ encodingAesKey: SAMPLE.key, appId: SAMPLE.inboundAppId })
    expect(parseWechatXml(c.decrypt(SAMPLE.inbound).message)).toMatchObject({ Content: 'abcdteT', MsgId: '6054768590064713728' })
  })
  it('rejects another AppID (401) and a wrong key (400)', () => {
    const c = new WechatCrypto({ encodingAesKey: SAMPLE.key, appId: 'wxOther' })
    expect(() => c.decrypt(SAMPLE.encrypted)).toThrow(expect.objectContaining({ status: 401 }))
    const other = new WechatCrypto({ encodingAesKey: PREVIOUS_AES_KEY, appId: SAMPLE.appId })
    expect(() => other.decrypt(SAMPLE.encrypted)).toThrow(expect.objectContaining({ status: 400 }))
  })
  it('falls back to the previous key during rotation', () => {
    const old = new WechatCrypto({ encodingAesKey: PREVIOUS_AES_KEY, appId: 'wxA' })
    const rotated = new WechatCrypto({ encodingAesKey: AES_KEY, encodingAesKeyPrevious: PREVIOUS_AES_KEY, appId: 'wxA' })
    expect(rotated.decrypt(old.encrypt('hi'))).toEqual({ message: 'hi', appId: 'wxA', key: 'previous' })
    expect(rotated.decrypt(rotated.encrypt('hi')).key).toBe('current')
  })
  it('starts every encryption with a fresh random prefix, across pool refills', () => {
    const c = new WechatCrypto({ encodingAesKey: AES_KEY, appId: 'wxA' })
    // The first block is AES(prefix XOR IV): with a fixed key and IV, equal prefixes would show here.
    const firstBlocks = new Set(Array.from({ length: 1000 }, () => Buffer.from(c.encrypt('same'), 'base64').subarray(0, 16).toString('hex')))
    expect(firstBlocks.size).toBe(1000)
  })
  it('pads to 32-byte blocks and validates the pad', () => {
    for (let n = 0; n < 70; n++) {
      const pad = pkcs7PadLength(n)
      expect((n + pad) % 32).toBe(0)
      expect(pad).toBeGreaterThanOrEqual(1)
      expect(pad).toBeLessThanOrEqual(32)
      expect(pkcs7Unpad(Buffer.concat([Buffer.alloc(n, 7), Buffer.alloc(pad, pad)]))?.length).toBe(n)
    }
    expect(pkcs7Unpad(Buffer.from([1, 2, 3, 0]))).toBeUndefined()
    expect(pkcs7Unpad(Buffer.from([1, 3, 2, 3]))).toBeUndefined()
    expect(pkcs7Unpad(Buffer.alloc(40, 33))).toBeUndefined()
    expect(pkcs7Unpad(Buffer.alloc(0))).toBeUndefined()
  })
  it('refuses malformed keys', () => {
    expect(() => decodeAesKey('short')).toThrow()
    expect(decodeAesKey(AES_KEY)).toHaveLength(32)
  })
})

describe('xml', () => {
  it('splits CDATA around "]]>" so the content survives a round trip', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>')
    const xml = buildTextReplyXml({ toUser: 'u', fromUser: 'gh', createTime: 5.9, content: ']]>x]]>]]>' })
    expect(parseReply(xml)).toEqual({ ToUserName: 'u', FromUserName: 'gh', CreateTime: '5', MsgType: 'text', Content: ']]>x]]>]]>' })
  })
  it('finds DOCTYPE/ENTITY declarations outside CDATA, comments and PIs only', () => {
    expect(declaresDoctypeOrEntity('<!DOCTYPE x><xml/>')).toBe(true)
    expect(declaresDoctypeOrEntity('<xml><!entity a "b"></xml>')).toBe(true)
    expect(declaresDoctypeOrEntity('<xml><a><![CDATA[<!DOCTYPE html>]]></a></xml>')).toBe(false)
    expect(declaresDoctypeOrEntity('<!-- <![CDATA[ --><!DOCTYPE x><xml/>')).toBe(true)
    expect(declaresDoctypeOrEntity('<?pi <![CDATA[ ?><!DOCTYPE x><xml>]]></xml>')).toBe(true)
    expect(declaresDoctypeOrEntity('<xml><a><![CDATA[unterminated <!DOCTYPE x></a></xml>')).toBe(true)
  })
  it('keeps values as strings and refuses non-<xml> roots, malformed XML and reserved names', () => {
    expect(parseWechatXml('<xml><MsgId>0012</MsgId><N><C>1</C></N></xml>')).toEqual({ MsgId: '0012' })
    for (const bad of ['<root/>', '<xml><a></xml>', '', 'plain', '<xml/><xml/>', '<xml><__proto__>1</__proto__></xml>']) {
      expect(() => parseWechatXml(bad), bad).toThrow(WechatProtocolError)
    }
  })
  it('reads text and CDATA as XML defines them, and drops repeated or nested fields', () => {
    const xml = '<?xml version="1.0"?><xml><A>a &amp; b &lt;c&gt;</A><B><![CDATA[x]]>y<![CDATA[]]]]><![CDATA[>]]></B><R>1</R><R>2</R><N>t<I/></N></xml>'
    expect(parseWechatXml(xml)).toEqual({ A: 'a & b <c>', B: 'xy]]>' })
    expect(parseWechatXml('<xml attr="1"><Empty/><S>  </S></xml>')).toEqual({ Empty: '', S: '  ' })
    // No DTD is ever read: an undeclared entity or a forbidden character is malformed, not expanded.
    for (const bad of ['<xml><A>&ext;</A></xml>', '<xml><A>\u0001</A></xml>', '<xml><A>1</B></xml>', '<xml>text</xml>tail']) {
      expect(() => parseWechatXml(bad), bad).toThrow(WechatProtocolError)
    }
  })
  it('truncates on a character boundary', () => {
    expect(clipReply('abc', 10)).toBe('abc')
    const cut = clipReply('隐私'.repeat(10), 10)
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(10)
    expect(cut).toBe('隐私…')
  })
})

describe('message mapping', () => {
  const at = new Date(0)
  it('needs a sender', () => {
    expect(toIncoming({ MsgType: 'text', Content: 'x' }, at)).toBeNull()
  })
  it('does not treat inherited property names as message types', () => {
    expect(toIncoming({ FromUserName: 'u', MsgType: 'toString' }, at)).toBeNull()
  })
})

describe('dedupe', () => {
  it('runs the work once per key and shares the promise', async () => {
    const clock = new TestClock(NOW)
    const d = new ReplyDedupe<number>({ clock })
    let runs = 0
    const work = async (): Promise<number> => ++runs
    const a = d.run('k', work)
    const b = d.run('k', work)
    expect(a.fresh).toBe(true)
    expect(b.fresh).toBe(false)
    expect(await a.promise).toBe(1)
    expect(await b.promise).toBe(1)
    expect(runs).toBe(1)
  })
  it('forgets entries after the TTL', async () => {
    const clock = new TestClock(NOW)
    const d = new ReplyDedupe<number>({ clock, ttlMs: 60_000 })
    let runs = 0
    await d.run('k', async () => ++runs).promise
    clock.seconds += 61
    expect(await d.run('k', async () => ++runs).promise).toBe(2)
    expect(d.size).toBe(1)
  })
  it('stays bounded, evicting the oldest', async () => {
    const d = new ReplyDedupe<number>({ clock: new TestClock(NOW), maxEntries: 100 })
    for (let i = 0; i < 1000; i++) d.run(`k${i}`, async () => i)
    expect(d.size).toBe(100)
    expect(d.run('k999', async () => -1).fresh).toBe(false)
    expect(d.run('k0', async () => -1).fresh).toBe(true)
  })
  it('keys messages by sender + MsgId and events by sender + CreateTime + event', () => {
    expect(dedupeKey({ FromUserName: 'u', MsgId: '1', CreateTime: '5' })).toBe(dedupeKey({ FromUserName: 'u', MsgId: '1', CreateTime: '9' }))
    expect(dedupeKey({ FromUserName: 'u', MsgId: '1' })).not.toBe(dedupeKey({ FromUserName: 'v', MsgId: '1' }))
    const click = { FromUserName: 'u', CreateTime: '5', Event: 'CLICK', EventKey: 'A' }
    expect(dedupeKey(click)).toBe(dedupeKey({ ...click }))
    expect(dedupeKey(click)).not.toBe(dedupeKey({ ...click, EventKey: 'B' }))
  })
})
