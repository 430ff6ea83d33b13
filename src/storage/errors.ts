/**
 * A store file exists but cannot be used (empty, truncated, not JSON, or the wrong shape).
 * Raised at open; the file is left exactly as found so an operator can inspect or restore it.
 */
export class CorruptStoreError extends Error {
  override readonly name = 'CorruptStoreError'
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Store file ${file} is unreadable (${reason}); it was left untouched — restore it from a backup or move it aside`, options)
  }
}

/** A store was used after close(). */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError'
  constructor(readonly file: string) {
    super(`Store ${file} is closed`)
  }
}
