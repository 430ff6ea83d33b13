import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** A fresh temp DATA_DIR (not created yet, so tests see the store create it) and its cleanup. */
export async function tempDataDir(): Promise<{ root: string; dataDir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'jiku-store-'))
  return { root, dataDir: path.join(root, 'data'), cleanup: () => rm(root, { recursive: true, force: true }) }
}
