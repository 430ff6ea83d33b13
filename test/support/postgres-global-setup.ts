import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres } from './embedded-postgres.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the PostgreSQL server the tests create their databases on. */
    postgresAdminUrl: string
  }
}

/**
 * Gives the run one PostgreSQL server: TEST_DATABASE_URL when set (any database the user may
 * CREATE DATABASE from), otherwise an embedded cluster started here (about a second) and removed
 * when the run ends. Test files get their own database on it through test/support/postgres.ts.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL
  if (external) {
    project.provide('postgresAdminUrl', external)
    return async () => {}
  }
  const cluster = await startEmbeddedPostgres()
  project.provide('postgresAdminUrl', cluster.url)
  return () => cluster.stop()
}
