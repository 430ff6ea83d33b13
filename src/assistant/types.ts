/**
 * The channel-agnostic vocabulary of the assistant. Doors (WeChat webhook, Wechaty, terminal)
 * translate platform messages into an `Incoming` and render the `Reply` back; nothing here
 * knows about Koa, XML or Wechaty.
 */

export type ChannelName = 'wechat-oa' | 'wechaty' | 'cli'

export type IncomingKind =
  | 'text' // typed text, or recognised voice (the door fills `text` from the recognition)
  | 'voice' // voice without recognition
  | 'image'
  | 'video'
  | 'location'
  | 'link'
  | 'file'
  | 'subscribe'
  | 'unsubscribe'
  | 'menu' // a custom-menu CLICK; `menuKey` names it
  | 'unknown'

export interface Incoming {
  readonly channel: ChannelName
  /** Stable per-person id on that channel (OpenID on the Official Account). */
  readonly userId: string
  readonly kind: IncomingKind
  /** Message text; empty for non-text kinds. */
  readonly text: string
  readonly menuKey?: string
  readonly receivedAt: Date
}

/** What the assistant says back. `null` from `handle` means "say nothing". */
export interface Reply {
  readonly text: string
}

export interface Assistant {
  handle(incoming: Incoming): Promise<Reply | null>
}

