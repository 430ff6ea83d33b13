import path from 'node:path'
import type { Clock } from '../assistant/types.js'
import type { ConversationStore } from './conversation-store.js'
import { JsonKeyValueStore } from './key-value-store.js'

/** FNV-1a: a cheap, stable spread of keys over shards. */
function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % shards
}

/**
 * A ConversationStore spread over several small files (DIR/00.json …). Every turn of a conversation
 * rewrites one shard, so the cost of a turn stays small even with thousands of conversations in
 * progress at once, and shards are written in parallel.
 */
export class ShardedConversationStore<T> implements ConversationStore<T> {
  private constructor(private readonly shards: readonly JsonKeyValueStore<T>[]) {}

  /**
   * Conversation state is written atomically but not fsync'd: it survives the process being killed
   * (the rename is atomic and the data is in the kernel's cache) but a power cut may lose the last
   * turns, which the person simply answers again. Filed requests are fsync'd before confirmation.
   */
  static async open<T>(dir: string, clock: Clock, shards = 16): Promise<ShardedConversationStore<T>> {
    const files = Array.from({ length: shards }, (_, i) => path.join(dir, `${String(i).padStart(2, '0')}.json`))
    return new ShardedConversationStore<T>(await Promise.all(files.map((f) => JsonKeyValueStore.open<T>(f, clock, { fsync: false }))))
  }

  private shard(key: string): JsonKeyValueStore<T> {
    return this.shards[shardOf(key, this.shards.length)]!
  }

  get(key: string): Promise<T | undefined> {
    return this.shard(key).get(key)
  }

  set(key: string, value: T): Promise<void> {
    return this.shard(key).set(key, value)
  }

  delete(key: string): Promise<boolean> {
    return this.shard(key).delete(key)
  }

  size(): number {
    return this.shards.reduce((n, s) => n + s.size(), 0)
  }

  async deleteIdleSince(cutoff: Date): Promise<number> {
    const counts = await Promise.all(this.shards.map((s) => s.deleteIdleSince(cutoff)))
    return counts.reduce((a, b) => a + b, 0)
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()))
  }
}
