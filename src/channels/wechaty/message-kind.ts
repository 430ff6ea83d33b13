import type { IncomingKind } from '../../assistant/types.js'

/** The subset of Wechaty's `types.Message` enum this door reads (passed in, because wechaty is imported lazily). */
export interface MessageTypeEnum {
  readonly Text: number
  readonly Image: number
  readonly Audio: number
  readonly Video: number
  readonly Attachment: number
  readonly Url: number
  readonly Location: number
}

/**
 * Maps a Wechaty message type to the assistant's kind. Media get their own kind so the assistant
 * can say "please type your question"; everything else (stickers, cards, transfers, recalls,
 * system notes) is 'unknown', which the assistant leaves unanswered.
 */
export function kindOfMessageType(type: number, types: MessageTypeEnum): IncomingKind {
  switch (type) {
    case types.Text:
      return 'text'
    case types.Image:
      return 'image'
    case types.Audio:
      return 'voice'
    case types.Video:
      return 'video'
    case types.Attachment:
      return 'file'
    case types.Url:
      return 'link'
    case types.Location:
      return 'location'
    default:
      return 'unknown'
  }
}

/** A staff command starts with "/" (or the full-width "／" a Chinese keyboard types). */
export const isSlashCommand = (text: string): boolean => text.normalize('NFKC').trimStart().startsWith('/')

/** `/console`: its answer is a sign-in link, a credential for the one who asked. */
export const isConsoleCommand = (text: string): boolean => /^\/console\b/i.test(text.normalize('NFKC').trim())
