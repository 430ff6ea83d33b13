import { SaxesParser } from 'saxes'
import { WechatProtocolError, malformed } from './errors.js'

/** The top-level fields of a WeChat `<xml>` document, as strings ("0012" stays "0012"). */
export type WechatFields = Readonly<Record<string, string>>

/** Names that would reach an object's prototype machinery; no WeChat field is called this. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype'])

/** Skips a section starting at `from` up to and including `end`; -1 when it never ends. */
function skipPast(raw: string, from: number, end: string): number {
  const at = raw.indexOf(end, from)
  return at === -1 ? -1 : at + end.length
}

/**
 * True when the document declares a DOCTYPE or ENTITY anywhere outside CDATA, comments and
 * processing instructions. Those sections are skipped so that a subscriber who types
 * "<!DOCTYPE html>" into the chat (WeChat sends it inside CDATA) still gets an answer.
 * Unterminated sections count as a declaration: the document is refused either way.
 */
export function declaresDoctypeOrEntity(raw: string): boolean {
  let i = raw.indexOf('<')
  while (i !== -1) {
    let next: number
    if (raw.startsWith('<![CDATA[', i)) next = skipPast(raw, i + 9, ']]>')
    else if (raw.startsWith('<!--', i)) next = skipPast(raw, i + 4, '-->')
    else if (raw.startsWith('<?', i)) next = skipPast(raw, i + 2, '?>')
    else {
      // Only "<!" can start a declaration; ordinary tags skip the comparison (and its copy).
      if (raw.charCodeAt(i + 1) === 0x21) {
        const head = raw.slice(i, i + 9).toUpperCase()
        if (head.startsWith('<!DOCTYPE') || head.startsWith('<!ENTITY')) return true
      }
      next = i + 1
    }
    if (next === -1) return true
    i = raw.indexOf('<', next)
  }
  return false
}

/**
 * Parses an incoming WeChat XML document into its top-level string fields.
 * Throws WechatProtocolError(400) for DOCTYPE/ENTITY declarations, XML that is not well-formed,
 * or a root other than a single `<xml>`. Nested elements (e.g. ScanCodeInfo) and repeated
 * fields are not needed and are dropped.
 *
 * saxes is a strict, non-validating parser: it never reads a DTD, so no entity beyond XML's five
 * predefined ones can be expanded; the DOCTYPE refusal above it is a second line of defence. It
 * checks well-formedness and extracts the fields in one pass, about five times faster than
 * validating and parsing separately.
 */
export function parseWechatXml(raw: string): WechatFields {
  if (declaresDoctypeOrEntity(raw)) throw malformed('doctype-refused')
  const fields: Record<string, string> = Object.create(null) as Record<string, string>
  const dropped = new Set<string>()
  let depth = 0
  let rootName = ''
  let field = ''
  let text = ''
  let nested = false
  const parser = new SaxesParser({ position: false })
  parser.on('doctype', () => {
    throw malformed('doctype-refused')
  })
  parser.on('opentag', (tag) => {
    depth++
    if (depth === 1) rootName = tag.name
    else if (depth === 2) {
      field = tag.name
      text = ''
      nested = false
    } else nested = true
  })
  parser.on('text', (chunk) => {
    if (depth === 2) text += chunk
  })
  parser.on('cdata', (chunk) => {
    if (depth === 2) text += chunk
  })
  parser.on('closetag', () => {
    if (depth === 2) {
      if (RESERVED_NAMES.has(field)) throw malformed('xml-reserved-name')
      if (nested || field in fields || dropped.has(field)) {
        delete fields[field]
        dropped.add(field)
      } else fields[field] = text
    }
    depth--
  })
  try {
    parser.write(raw).close()
  } catch (error) {
    if (error instanceof WechatProtocolError) throw error
    throw malformed('xml-invalid')
  }
  if (rootName !== 'xml') throw malformed('xml-root-not-xml')
  return fields
}

/** Characters XML 1.0 forbids; removed so a stray control character cannot break the reply. */
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

/** Wraps text in CDATA; a "]]>" inside is split across two sections so it stays literal. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(INVALID_XML_CHARS, '').replaceAll(']]>', ']]]]><![CDATA[>')}]]>`
}

/** A passive text reply (被动回复文本消息). */
export interface TextReply {
  /** The subscriber's OpenID: the incoming FromUserName. */
  readonly toUser: string
  /** The Official Account's id: the incoming ToUserName. */
  readonly fromUser: string
  /** Seconds since the epoch. */
  readonly createTime: number
  readonly content: string
}

/** Renders a passive text reply as WeChat expects it. */
export function buildTextReplyXml(reply: TextReply): string {
  return (
    '<xml>' +
    `<ToUserName>${cdata(reply.toUser)}</ToUserName>` +
    `<FromUserName>${cdata(reply.fromUser)}</FromUserName>` +
    `<CreateTime>${Math.trunc(reply.createTime)}</CreateTime>` +
    `<MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(reply.content)}</Content>` +
    '</xml>'
  )
}

/** The safe-mode reply envelope around an encrypted passive reply. */
export interface EncryptedEnvelope {
  readonly encrypt: string
  readonly msgSignature: string
  readonly timestamp: string
  readonly nonce: string
}

/** Renders `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`. */
export function buildEncryptedReplyXml(envelope: EncryptedEnvelope): string {
  return (
    '<xml>' +
    `<Encrypt>${cdata(envelope.encrypt)}</Encrypt>` +
    `<MsgSignature>${cdata(envelope.msgSignature)}</MsgSignature>` +
    `<TimeStamp>${envelope.timestamp}</TimeStamp>` +
    `<Nonce>${cdata(envelope.nonce)}</Nonce>` +
    '</xml>'
  )
}
