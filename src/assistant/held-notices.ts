import type { KeyValueStore } from '../storage/key-value-store.js'
import type { HeldNotices, Notifier, Recipient } from './notifier.js'

const keyOf = (to: Recipient): string => `${to.channel}:${to.userId}`

interface Held {
  texts: string[]
}

/** Held notices in a small durable map keyed by channel:userId (only people with something waiting). */
export function createHeldNotices(store: KeyValueStore<Held>): HeldNotices {
  return {
    async hold(to, text) {
      const current = (await store.get(keyOf(to)))?.texts ?? []
      await store.set(keyOf(to), { texts: [...current, text] })
    },
    async take(to) {
      const current = await store.get(keyOf(to))
      if (!current) return []
      await store.delete(keyOf(to))
      return current.texts
    },
    pendingCount: () => store.size(),
  }
}

/** A Notifier for doors that cannot push: every message waits for the recipient's next message. */
export function holdingNotifier(held: HeldNotices): Notifier {
  return {
    async notify(to, text) {
      await held.hold(to, text)
      return 'held'
    },
  }
}
