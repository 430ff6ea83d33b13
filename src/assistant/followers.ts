import type { Clock } from '../clock.js'
import { errorSummary, type Logger } from '../log.js'
import { personKey } from '../person-key.js'
import type { PreferencesStore } from './stores.js'
import type { Incoming } from './types.js'

/** Follow and unfollow events, kept as preferences: a returning follower is no longer "unsubscribed". */
export function followerPreferences(preferences: PreferencesStore, clock: Clock, logger: Logger): { subscribed(i: Incoming): Promise<void>; unsubscribed(i: Incoming): Promise<void> } {
  return {
    async subscribed(incoming) {
      const key = personKey(incoming)
      const current = await preferences.get(key)
      if (!current?.unsubscribed) return
      const { unsubscribed: _gone, ...rest } = current
      await preferences.set(key, rest).catch((err: unknown) => logger.error({ event: 'preferences.failed', ...errorSummary(err) }))
    },
    async unsubscribed(incoming) {
      const key = personKey(incoming)
      const current = (await preferences.get(key)) ?? {}
      await preferences.set(key, { ...current, unsubscribed: { at: clock.now().toISOString() } })
      logger.info({ event: 'user.unsubscribed' })
    },
  }
}

