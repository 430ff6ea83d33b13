/**
 * A store file exists but cannot be used (empty, truncated, not JSON, or the wrong shape).
 * Raised at open; the file is left exactly as found so an operator can inspect or restore it.
 * The message names the file and what is wrong, never the file's content: it may hold personal data.
 */
export class CorruptStoreError extends Error {
  override readonly name = 'CorruptStoreError'
  constructor(
    readonly file: string,
    readonly reason: string,
    /** What the operator can do; the default suits a file that is damaged as a whole. */
    advice = 'restore it from a backup',
  ) {
    super(`Store file ${file} is unreadable (${reason}); it was left untouched — ${advice}`)
  }
}

/** A store was used after close(). */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError'
  constructor(readonly file: string) {
    super(`Store ${file} is closed`)
  }
}

const CODE_TEXT: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory where a file should be',
  ENOTDIR: 'a path component is not a directory',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENOENT: 'no such file or directory',
  SHORT_WRITE: 'the device accepted only part of a write',
}

/** The errno code of a file-system error ('UNKNOWN' for anything else). */
export function ioCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'UNKNOWN'
}

/**
 * A file-system operation on a store failed. The message names the file, the action and the errno
 * code (ENOSPC, EACCES, EROFS, EISDIR, …) — never data — so it is safe for stderr and the log.
 */
export class StoreIoError extends Error {
  override readonly name = 'StoreIoError'
  constructor(
    readonly file: string,
    readonly code: string,
    readonly action: string,
  ) {
    super(`Cannot ${action} ${file}: ${CODE_TEXT[code] ?? 'file-system error'} (${code})`)
  }

  /** Wraps a file-system error (a StoreIoError or CorruptStoreError passes through unchanged). */
  static wrap(e: unknown, file: string, action: string): Error {
    if (e instanceof StoreIoError || e instanceof CorruptStoreError) return e
    return new StoreIoError(file, ioCode(e), action)
  }
}

/**
 * A store that lives in another process (PostgreSQL) cannot be reached right now: refused or
 * dropped connection, server starting or shutting down, no free connection in time. The caller may
 * tell the person to try again later. The failed call's transaction was rolled back — except when the
 * connection dropped during COMMIT, when the change may or may not have landed (as with any database).
 * The message names the store and the error code, never data.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError'
  constructor(
    /** Which store, e.g. "postgres". */
    readonly store: string,
    /** The errno code (ECONNREFUSED …), SQLSTATE (57P01 …) or 'TIMEOUT'. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`Storage ${store} is temporarily unavailable (${code})`, options)
  }
}
