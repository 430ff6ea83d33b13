import type { Incoming, IncomingKind } from '../../assistant/types.js'
import type { WechatFields } from './xml.js'

/** MsgTypes that become an Incoming of the same (or the mapped) kind, with empty text. */
const MEDIA_KINDS: Readonly<Record<string, IncomingKind>> = {
  image: 'image',
  video: 'video',
  shortvideo: 'video',
  location: 'location',
  link: 'link',
  file: 'file',
}

function incoming(userId: string, kind: IncomingKind, receivedAt: Date, text = '', menuKey?: string): Incoming {
  return menuKey === undefined
    ? { channel: 'wechat-oa', userId, kind, text, receivedAt }
    : { channel: 'wechat-oa', userId, kind, text, menuKey, receivedAt }
}

/** Maps an `event` message; only the events a conversation cares about become an Incoming. */
function fromEvent(fields: WechatFields, userId: string, receivedAt: Date): Incoming | null {
  // WeChat documents event names in capitals but sends `subscribe`/`unsubscribe` in lower case.
  switch ((fields.Event ?? '').toLowerCase()) {
    case 'subscribe': // also via a parameterised QR code: EventKey = qrscene_…, same meaning here
      return incoming(userId, 'subscribe', receivedAt)
    case 'unsubscribe':
      return incoming(userId, 'unsubscribe', receivedAt)
    case 'click':
      return incoming(userId, 'menu', receivedAt, '', fields.EventKey ?? '')
    default:
      // VIEW, SCAN, LOCATION, TEMPLATESENDJOBFINISH, MASSSENDJOBFINISH…: nothing to say.
      return null
  }
}

/**
 * Translates a parsed WeChat message into the assistant's `Incoming`, or null when the door
 * should just answer "success" (unknown MsgTypes, events that need no reply, no sender).
 * Recognised voice becomes text, so the assistant need not know WeChat did the recognition.
 */
export function toIncoming(fields: WechatFields, receivedAt: Date): Incoming | null {
  const userId = fields.FromUserName ?? ''
  if (userId === '') return null
  const msgType = fields.MsgType ?? ''
  if (msgType === 'text') return incoming(userId, 'text', receivedAt, fields.Content ?? '')
  if (msgType === 'voice') {
    const recognition = (fields.Recognition ?? '').trim()
    return recognition === '' ? incoming(userId, 'voice', receivedAt) : incoming(userId, 'text', receivedAt, recognition)
  }
  if (msgType === 'event') return fromEvent(fields, userId, receivedAt)
  const media = Object.hasOwn(MEDIA_KINDS, msgType) ? MEDIA_KINDS[msgType] : undefined
  return media ? incoming(userId, media, receivedAt) : null
}
