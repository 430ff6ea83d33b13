import type { Clock } from '../clock.js'
import { MemoryConversationStore } from './conversation-store.js'
import type { StorageHealth } from './health.js'
import { JsonKeyValueStore, type KeyValueStore } from './key-value-store.js'


/** Per-user flags that must outlive conversations. Only ids and times: no personal data. */
export interface UserPreferences {
  /** Set when the user opted out of marketing (ISO time); absent = not opted out. */
  marketingOptOut?: { optedOutAt: string }
  /** Set when the user unsubscribed from the Official Account (ISO time); removed on re-subscribe. */
  unsubscribed?: { at: string }
}

/** Preferences keyed by `channel:userId` (see personKey), in DATA_DIR/preferences.json. */
export type PreferencesStore = KeyValueStore<UserPreferences>

/** Opens the preferences file. */
export function openPreferencesStore(file: string, clock: Clock, health?: StorageHealth): Promise<PreferencesStore> {
  return JsonKeyValueStore.open<UserPreferences>(file, clock, { health })
}

/** An in-memory PreferencesStore for tests. */
export function memoryPreferencesStore(clock: Clock): PreferencesStore {
  return new MemoryConversationStore<UserPreferences>(clock)
}
