/** A person on one channel: who a message is from, or for. */
export interface PersonRef {
  readonly channel: string
  readonly userId: string
}

/**
 * The one key of per-person state ("wechat-oa:oAbc…"): conversations, preferences, held notices,
 * rate limits, the outbox's queues, a person's requests.
 */
export const personKey = (person: PersonRef): string => `${person.channel}:${person.userId}`
