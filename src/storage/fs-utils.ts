import { mkdir, open } from 'node:fs/promises'

/** Store files hold personal data: owner read/write only. */
export const FILE_MODE = 0o600
/** Store directories: owner only. */
export const DIR_MODE = 0o700

/** Creates the directory (and parents) with mode 0700 when missing; an existing directory keeps its mode. */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE })
}

/**
 * Flushes a directory entry so a completed rename survives power loss. Best-effort: some
 * file systems and platforms refuse fsync on a directory, and the rename itself is already atomic.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // best-effort, see above
  } finally {
    await handle?.close().catch(() => undefined)
  }
}
