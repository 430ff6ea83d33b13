import type { KeyValueStore } from './stores.js'
import type { HeldNotices, Recipient } from './notifier.js'
import { personKey } from '../person-key.js'

interface Held {
  texts: string[]
}

/**
 * Held notices in a small durable map keyed by channel:userId (only people with something waiting).
 * With several replicas one may hold a notice while another takes the person's notices: the store's
 * atomic update keeps either from losing the other's.
 */
export function createHeldNotices(store: KeyValueStore<Held>): HeldNotices {
  return {
    async hold(to, text) {
      const key = personKey(to)
      if (store.update) {
        await store.update(key, (current) => ({ texts: [...(current?.texts ?? []), text] }))
        return
      }
      const current = (await store.get(key))?.texts ?? []
      await store.set(key, { texts: [...current, text] })
    },
    async take(to) {
      const key = personKey(to)
      // Most people have nothing waiting: a plain read answers that, without a locked update.
      const current = await store.get(key)
      if (!current) return []
      if (store.update) return (await store.update(key, () => undefined))?.texts ?? []
      await store.delete(key)
      return current.texts
    },
  }
}

