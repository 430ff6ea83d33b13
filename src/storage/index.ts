/** Public surface of the storage layer. */
export { openStorage, openMemoryStorage, type Storage, type OpenStorageOptions } from './open.js'
export { CorruptStoreError, StoreClosedError } from './errors.js'
export { AtomicJsonFile, type JsonValidator } from './json-file.js'
export { JsonKeyValueStore, type KeyValueStore } from './key-value-store.js'
export { conversationKey, openConversationStore, MemoryConversationStore, type ConversationStore } from './conversation-store.js'
export { memoryPreferencesStore, openPreferencesStore, preferencesKey, type PreferencesStore, type UserPreferences } from './preferences-store.js'
export { FileRequestRepository, type FileRequestRepositoryOptions } from './file-request-repository.js'
