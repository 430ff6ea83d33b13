import { groupQuestions } from '../assistant/unanswered-report.js'
import { ConfigError, loadConfig, type Config } from '../config.js'
import { silentLogger } from '../log.js'
import { createPool } from '../storage/postgres/pool.js'
import { PostgresUnansweredLog } from '../storage/postgres/unanswered-log.js'
import { readUnanswered, unansweredDir, type UnansweredQuestion } from '../storage/unanswered-log.js'

/**
 * `npm run unanswered [-- --days N]`: the questions the policy could not answer, most frequent first,
 * so staff can see what the lexicon or the paragraph questions miss. Reads DATA_DIR (or, with
 * DATABASE_URL, the database) without writing to it, so it is safe beside a running service. The
 * questions are masked and carry no user id.
 */
let config: Config
try {
  config = loadConfig()
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`)
  process.exit(1)
}
const daysArg = process.argv.indexOf('--days')
const days = daysArg >= 0 ? Number(process.argv[daysArg + 1]) : config.unansweredRetention.as('days')
if (!Number.isFinite(days) || days <= 0) {
  process.stderr.write('Usage: npm run unanswered [-- --days N]\n')
  process.exit(2)
}
const since = new Date(Date.now() - days * 86_400_000)
const groups = groupQuestions(await readKept(since))
const total = groups.reduce((n, g) => n + g.count, 0)
process.stdout.write(`未能回答的问题 / Unanswered questions, last ${Math.round(days)} days: ${total} in ${groups.length} groups\n`)
for (const g of groups) process.stdout.write(`${String(g.count).padStart(5)}  ${g.lastAt.slice(0, 10)}  ${g.lang}  ${g.example.replace(/\s+/g, ' ')}\n`)

async function readKept(since: Date): Promise<UnansweredQuestion[]> {
  if (!config.database) return readUnanswered(unansweredDir(config.dataDir), since)
  const pool = createPool({ connectionString: config.database.url, max: 1, logger: silentLogger() })
  try {
    return await new PostgresUnansweredLog(pool, silentLogger()).read(since)
  } finally {
    await pool.end()
  }
}
