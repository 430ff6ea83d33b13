import { hostname } from 'node:os'
import { readFile, rmdir, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import { FILE_MODE } from './fs-utils.js'
import { StoreIoError } from './errors.js'

/** The lock directory inside DATA_DIR (proper-lockfile makes it with an atomic mkdir). */
export const LOCK_NAME = 'service.lock'
/** Who holds the lock, for the message a second process prints; beside the lock, not in it. */
const OWNER_NAME = 'service.lock.owner'

/**
 * A lock whose holder stopped refreshing it for this long is stale (a crash, a SIGKILL, a frozen
 * machine). proper-lockfile refreshes it every STALE_MS / 2; on one host a dead holder's pid makes
 * the lock stale at once, so a restart after a crash does not wait.
 */
const STALE_MS = 10_000

/** DATA_DIRs this process holds: a second open in the same process is refused like any other. */
const heldHere = new Set<string>()

interface Owner {
  readonly pid: number
  readonly host: string
  readonly since: string
}

/** Another live process owns DATA_DIR. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError'
  constructor(
    readonly dataDir: string,
    readonly owner: Owner | undefined,
  ) {
    const who = owner ? `process ${owner.pid} on ${owner.host} (since ${owner.since})` : 'another process'
    super(`DATA_DIR ${dataDir} is in use by ${who}. Only one service may use a DATA_DIR: stop it first, or give this one another DATA_DIR.`)
  }
}

export interface DataDirLock {
  /** Releases the lock (idempotent); the next process may then start. */
  release(): Promise<void>
}

export interface LockOptions {
  /** Called when the lock could not be kept (e.g. its refresh failed for STALE_MS): another process may take over. */
  readonly onLost?: (error: Error) => void
}

/**
 * Takes DATA_DIR for this process, or throws DataDirLockedError naming the holder. Two services on
 * one DATA_DIR would each keep their own copy of the stores in memory and overwrite each other's
 * files, losing requests both had confirmed.
 */
export async function lockDataDir(dataDir: string, options: LockOptions = {}): Promise<DataDirLock> {
  if (heldHere.has(dataDir)) throw new DataDirLockedError(dataDir, { pid: process.pid, host: hostname(), since: 'this process' })
  const lockPath = path.join(dataDir, LOCK_NAME)
  const ownerPath = path.join(dataDir, OWNER_NAME)
  const take = (): Promise<() => Promise<void>> =>
    lockfile.lock(dataDir, {
      lockfilePath: lockPath,
      stale: STALE_MS,
      realpath: false,
      onCompromised: (error) => options.onLost?.(error),
    })

  let unlock: () => Promise<void>
  try {
    unlock = await take()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw StoreIoError.wrap(e, lockPath, 'locking')
    const owner = await readOwner(ownerPath)
    if (!owner || !isDeadHereOrMe(owner)) throw new DataDirLockedError(dataDir, owner)
    // The holder died on this machine without releasing: its lock is stale now, not in STALE_MS.
    await rmdir(lockPath).catch(() => undefined)
    try {
      unlock = await take()
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirLockedError(dataDir, await readOwner(ownerPath))
      throw StoreIoError.wrap(again, lockPath, 'locking')
    }
  }
  heldHere.add(dataDir)
  const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() }
  // Best effort: without it a second process still refuses, only without naming the pid.
  await writeFile(ownerPath, JSON.stringify(owner), { mode: FILE_MODE }).catch(() => undefined)

  let released = false
  return {
    async release() {
      if (released) return
      released = true
      heldHere.delete(dataDir)
      await unlink(ownerPath).catch(() => undefined)
      await unlock().catch(() => undefined)
    },
  }
}

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<Owner>
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string') return value as Owner
  } catch {
    // Missing or half-written: the holder is simply not named.
  }
  return undefined
}

/** True when the recorded holder is on this host and no longer running (or is this very process id, reused after a restart). */
function isDeadHereOrMe(owner: Owner): boolean {
  if (owner.host !== hostname()) return false
  if (owner.pid === process.pid) return true
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
