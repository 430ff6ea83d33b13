import type { PreferencesStore, UserPreferences } from '../assistant/stores.js'
import type { Clock } from '../clock.js'
import { MemoryKeyValueStore } from './conversation-store.js'
import type { StorageHealth } from './health.js'
import { JsonKeyValueStore } from './key-value-store.js'

/** Opens the preferences file (DATA_DIR/preferences.json). */
export function openPreferencesStore(file: string, clock: Clock, health?: StorageHealth): Promise<PreferencesStore> {
  return JsonKeyValueStore.open<UserPreferences>(file, clock, { health })
}

/** An in-memory PreferencesStore for tests. */
export function memoryPreferencesStore(clock: Clock): PreferencesStore {
  return new MemoryKeyValueStore<UserPreferences>(clock)
}
