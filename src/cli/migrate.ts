import { ConfigError, loadConfig } from '../config.js'
import { StorageUnavailableError } from '../storage/errors.js'
import { migrate } from '../storage/postgres/migrate.js'

/**
 * `npm run migrate`: brings the PostgreSQL schema at DATABASE_URL up to date and says what it
 * applied. The service does the same at start (under the same lock), so this is for applying a
 * release's migrations before the new replicas start, or checking a database by hand.
 */
try {
  const config = loadConfig()
  if (!config.database) throw new ConfigError('DATABASE_URL', 'is required: the schema to migrate is in PostgreSQL')
  const applied = await migrate(config.database.url)
  process.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'The schema is up to date.\n')
} catch (err) {
  // Schema statements carry no personal data, so the server's message is safe to show.
  const message = err instanceof ConfigError || err instanceof StorageUnavailableError ? err.message : `Migration failed: ${err instanceof Error ? err.message : String(err)}`
  process.stderr.write(`${message}\n`)
  process.exit(1)
}
