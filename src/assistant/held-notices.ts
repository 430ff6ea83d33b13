import type { KeyValueStore } from './stores.js'
import type { HeldNotices, Recipient } from './notifier.js'
import { personKey } from '../person-key.js'

interface Held {
  texts: string[]
}

/** Held notices in a small durable map keyed by channel:userId (only people with something waiting). */
export function createHeldNotices(store: KeyValueStore<Held>): HeldNotices {
  return {
    async hold(to, text) {
      const current = (await store.get(personKey(to)))?.texts ?? []
      await store.set(personKey(to), { texts: [...current, text] })
    },
    async take(to) {
      const current = await store.get(personKey(to))
      if (!current) return []
      await store.delete(personKey(to))
      return current.texts
    },
  }
}

