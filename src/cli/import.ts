import pg from 'pg'
import { ConfigError, loadConfig } from '../config.js'
import { DataDirLockedError } from '../storage/data-dir-lock.js'
import { CorruptStoreError, StorageUnavailableError, StoreIoError } from '../storage/errors.js'
import { ImportRefusedError, importDataDir } from '../storage/postgres/import.js'

/**
 * `npm run import -- <DATA_DIR>`: copies a file-based DATA_DIR (requests, conversations,
 * preferences, held notices, console sessions, sent-message digests) into the PostgreSQL database at
 * DATABASE_URL, so the service can move from one process to several replicas. Stop the service on
 * DATA_DIR first (it is refused while one runs). DATA_DIR is left as it was; running the import
 * again copies nothing twice, and never overwrites a row the database already has.
 *
 * Prints counts and file names only, never anything from a request or a conversation.
 */
/** Wrong arguments: the usage line is the message. */
class UsageError extends Error {}

const USAGE = 'Usage: npm run import -- <DATA_DIR>  (with DATABASE_URL set to the database to copy it into)'

try {
  const args = process.argv.slice(2)
  if (args.length !== 1 || args[0]!.trim() === '' || args[0]!.startsWith('-')) throw new UsageError(USAGE)
  const config = loadConfig()
  if (!config.database) throw new ConfigError('DATABASE_URL', 'is required: the database to copy DATA_DIR into')
  const result = await importDataDir({ dataDir: args[0]!, pool: config.database.url })
  const lines = [
    `Imported ${result.dataDir} into PostgreSQL.`,
    result.migrationsApplied.length ? `Schema: applied ${result.migrationsApplied.length} migration(s) first.` : 'Schema: up to date.',
    ...result.stores.map((s) => `  ${s.store}: ${s.copied} copied, ${s.alreadyThere} already there`),
  ]
  if (result.notCopied.length) lines.push(`Not copied (left in DATA_DIR): ${result.notCopied.join(', ')}`)
  for (const file of result.tornJournals) lines.push(`Note: ${file} ends in a torn, never acknowledged line; it was skipped, as the service skips it.`)
  lines.push('DATA_DIR was not modified.')
  process.stdout.write(`${lines.join('\n')}\n`)
} catch (err) {
  process.stderr.write(`${message(err)}\n`)
  process.exit(1)
}

/** One line for the operator: the error's own message when it carries no data, else only what kind of failure it was. */
function message(err: unknown): string {
  const safe = [UsageError, ConfigError, DataDirLockedError, StorageUnavailableError, CorruptStoreError, StoreIoError, ImportRefusedError]
  if (safe.some((kind) => err instanceof kind)) return (err as Error).message
  // Before any row is sent (connecting, migrating) the server speaks of users, databases and schema only.
  if (err instanceof pg.DatabaseError) return `Cannot use the database: ${err.message}${err.code ? ` (SQLSTATE ${err.code})` : ''}`
  return `Import failed: ${err instanceof Error ? err.name : 'unknown error'}; nothing was copied`
}
