import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Duration } from 'luxon'
import { z } from 'zod'

/** The project's own folder: the shipped policy and lexicon live in its `data/`. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Used when WECHAT_TOKEN is unset outside production; documented in the README. */
export const DEV_WECHAT_TOKEN = 'jiku-dev-token'

/** Default DATA_DIR, relative to the project folder. */
export const DEFAULT_DATA_DIR = 'state'

export const DEFAULT_WECHAT_API_BASE = 'https://api.weixin.qq.com'

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Configuration error: ${variable} ${problem}`)
    this.name = 'ConfigError'
  }
}

export interface Config {
  readonly nodeEnv: string
  readonly port: number
  readonly host: string
  readonly logLevel: string
  readonly wechat: {
    readonly token: string
    /** True when the token is the built-in development token. */
    readonly devToken: boolean
    readonly appId?: string
    readonly appSecret?: string
    readonly encodingAesKey?: string
    readonly encodingAesKeyPrevious?: string
    readonly apiBase: string
    /** Requests whose timestamp is further than this from now are refused. */
    readonly timestampWindowSeconds: number
  }
  readonly dataDir: string
  /**
   * PostgreSQL (DATABASE_URL): when set, requests, conversations and every other piece of shared
   * state live there, so several replicas can serve one Official Account; otherwise files in DATA_DIR.
   */
  readonly database?: {
    readonly url: string
    /** Connections each replica keeps open at most (DATABASE_POOL_MAX). */
    readonly poolMax: number
  }
  readonly policyFile: string
  readonly lexiconFile: string
  /** Questions each policy paragraph answers, in Chinese and English (staff edit it; read at start-up). */
  readonly paragraphQuestionsFile: string
  readonly policyFill: {
    readonly contactEmail?: string
    readonly updated?: string
    readonly effective?: string
  }
  readonly staffOpenIds: ReadonlySet<string>
  readonly conversationTimeout: Duration
  readonly requestRetention: Duration
  /** How long questions the policy could not answer are kept for staff. */
  readonly unansweredRetention: Duration
  /** Time allowed to answer a verified request, counted from verification (calendar time). */
  readonly responseWindow: Duration
  /** Count the response window in calendar time or in mainland China's working days. */
  readonly responseDays: 'calendar' | 'working'
  /** Staff reminders, as durations before the due time, longest first. */
  readonly reminders: readonly Duration[]
  readonly wechatTemplateId?: string
  /** Messages a minute one user may send (staff exempt). */
  readonly rateLimitPerMinute: number
  /** Open requests one user may have at once. */
  readonly maxOpenRequests: number
  /** Bearer token for /metrics; without it /metrics is disabled. */
  readonly metricsToken?: string
  /**
   * Whether a reverse proxy in front sets X-Forwarded-For: then the client's address (console sign-in
   * throttling) comes from that header instead of being the proxy's for everyone.
   */
  readonly trustProxy: boolean
  /** The staff web console (`/console`). */
  readonly console: {
    /** Where staff browsers reach this service (PUBLIC_URL, no trailing slash): sign-in links and the CSRF origin check use it. */
    readonly publicUrl: string
    /** How long a sign-in link works (once). */
    readonly linkTtl: Duration
    /** A console session ends after this long without a request. */
    readonly sessionIdle: Duration
  }
  readonly wechaty: {
    /** Puppet package name; the Wechaty door starts only when this is set. */
    readonly puppet?: string
    readonly puppetToken?: string
    readonly staffIds: ReadonlySet<string>
    readonly staffRoom?: string
  }
}

type Env = Record<string, string | undefined>

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim())

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function parseWith<T>(name: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value)
  if (!result.success) throw new ConfigError(name, `is invalid: ${result.error.issues[0]?.message ?? 'bad value'}`)
  return result.data
}

/** ISO 8601 duration such as P15D, PT30M or P1Y. */
export function parseIsoDuration(name: string, value: string): Duration {
  const d = Duration.fromISO(value)
  if (!d.isValid || d.toMillis() <= 0) throw new ConfigError(name, `must be a positive ISO 8601 duration (e.g. P15D, PT30M), got "${value}"`)
  return d
}

const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres://user:password@host:port/database URL' })
const port = z.coerce.number().int().min(0).max(65535)
const aesKey = z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey from the WeChat console')
const httpUrl = z.url({ protocol: /^https?$/ })

/**
 * Reads the environment once, validates it, and returns a typed, frozen config.
 * Throws ConfigError naming the offending variable.
 */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = nonEmpty(env.NODE_ENV) ?? 'development'
  const tokenValue = nonEmpty(env.WECHAT_TOKEN)
  if (!tokenValue && nodeEnv === 'production') throw new ConfigError('WECHAT_TOKEN', 'is required when NODE_ENV=production')
  if (tokenValue && !/^[A-Za-z0-9]{3,32}$/.test(tokenValue)) {
    throw new ConfigError('WECHAT_TOKEN', 'must be 3–32 letters or digits, as the WeChat console requires')
  }
  const encodingAesKey = nonEmpty(env.WECHAT_ENCODING_AES_KEY)
  const encodingAesKeyPrevious = nonEmpty(env.WECHAT_ENCODING_AES_KEY_PREVIOUS)
  const appId = nonEmpty(env.WECHAT_APPID)
  if (encodingAesKey) parseWith('WECHAT_ENCODING_AES_KEY', aesKey, encodingAesKey)
  if (encodingAesKeyPrevious) {
    parseWith('WECHAT_ENCODING_AES_KEY_PREVIOUS', aesKey, encodingAesKeyPrevious)
    if (!encodingAesKey) throw new ConfigError('WECHAT_ENCODING_AES_KEY_PREVIOUS', 'needs WECHAT_ENCODING_AES_KEY to be set as well')
  }
  if (encodingAesKey && !appId) throw new ConfigError('WECHAT_APPID', 'is required when WECHAT_ENCODING_AES_KEY is set (safe mode checks the AppID)')

  const apiBase = nonEmpty(env.WECHAT_API_BASE) ?? DEFAULT_WECHAT_API_BASE
  parseWith('WECHAT_API_BASE', httpUrl, apiBase)

  // Runtime state (requests, conversations, the outbox) lives apart from the shipped content in
  // data/ (the policy, the lexicon): the service creates this directory itself, mode 0700.
  const dataDir = path.resolve(nonEmpty(env.DATA_DIR) ?? path.join(PROJECT_ROOT, DEFAULT_DATA_DIR))
  const policyFile = nonEmpty(env.POLICY_FILE)
    ? path.resolve(env.POLICY_FILE!.trim())
    : path.join(PROJECT_ROOT, 'data', 'privacy-policy.en.txt')

  const databaseUrl = nonEmpty(env.DATABASE_URL)
  if (databaseUrl) parseWith('DATABASE_URL', postgresUrl, databaseUrl)
  const database = databaseUrl
    ? { url: databaseUrl, poolMax: parseWith('DATABASE_POOL_MAX', z.coerce.number().int().min(2).max(1000), nonEmpty(env.DATABASE_POOL_MAX) ?? '10') }
    : undefined

  const email = nonEmpty(env.POLICY_CONTACT_EMAIL)
  if (email) parseWith('POLICY_CONTACT_EMAIL', z.email(), email)

  const listenPort = parseWith('PORT', port, nonEmpty(env.PORT) ?? '3000')
  const publicUrl = nonEmpty(env.PUBLIC_URL) ?? `http://localhost:${listenPort}`
  parseWith('PUBLIC_URL', httpUrl, publicUrl)

  const config: Config = {
    nodeEnv,
    port: listenPort,
    host: nonEmpty(env.HOST) ?? '0.0.0.0',
    logLevel: parseWith('LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), nonEmpty(env.LOG_LEVEL) ?? 'info'),
    wechat: {
      token: tokenValue ?? DEV_WECHAT_TOKEN,
      devToken: !tokenValue,
      appId,
      appSecret: nonEmpty(env.WECHAT_APPSECRET),
      encodingAesKey,
      encodingAesKeyPrevious,
      apiBase: apiBase.replace(/\/+$/, ''),
      timestampWindowSeconds: parseWith(
        'WECHAT_TIMESTAMP_WINDOW',
        z.coerce.number().int().min(1),
        nonEmpty(env.WECHAT_TIMESTAMP_WINDOW) ?? '300',
      ),
    },
    dataDir,
    database,
    policyFile,
    lexiconFile: path.join(PROJECT_ROOT, 'data', 'lexicon.json'),
    paragraphQuestionsFile: path.join(PROJECT_ROOT, 'data', 'paragraph-questions.json'),
    policyFill: {
      contactEmail: email,
      updated: nonEmpty(env.POLICY_UPDATED),
      effective: nonEmpty(env.POLICY_EFFECTIVE),
    },
    staffOpenIds: new Set(list(env.STAFF_OPENIDS)),
    conversationTimeout: parseIsoDuration('CONVERSATION_TIMEOUT', nonEmpty(env.CONVERSATION_TIMEOUT) ?? 'PT30M'),
    requestRetention: parseIsoDuration('REQUEST_RETENTION', nonEmpty(env.REQUEST_RETENTION) ?? 'P1Y'),
    unansweredRetention: parseIsoDuration('UNANSWERED_RETENTION', nonEmpty(env.UNANSWERED_RETENTION) ?? 'P90D'),
    responseWindow: parseIsoDuration('RESPONSE_WINDOW', nonEmpty(env.RESPONSE_WINDOW) ?? 'P15D'),
    responseDays: parseWith('RESPONSE_DAYS', z.enum(['calendar', 'working']), nonEmpty(env.RESPONSE_DAYS) ?? 'calendar'),
    reminders: list(nonEmpty(env.REMINDERS) ?? 'P5D,P2D,P1D')
      .map((d) => parseIsoDuration('REMINDERS', d))
      .sort((a, b) => b.toMillis() - a.toMillis()),
    wechatTemplateId: nonEmpty(env.WECHAT_TEMPLATE_ID),
    rateLimitPerMinute: parseWith('RATE_LIMIT_PER_MINUTE', z.coerce.number().int().min(1), nonEmpty(env.RATE_LIMIT_PER_MINUTE) ?? '30'),
    maxOpenRequests: parseWith('MAX_OPEN_REQUESTS', z.coerce.number().int().min(1), nonEmpty(env.MAX_OPEN_REQUESTS) ?? '5'),
    metricsToken: nonEmpty(env.METRICS_TOKEN),
    trustProxy: parseWith('TRUST_PROXY', z.enum(['true', 'false']), nonEmpty(env.TRUST_PROXY)?.toLowerCase() ?? 'false') === 'true',
    console: {
      publicUrl: publicUrl.replace(/\/+$/, ''),
      linkTtl: parseIsoDuration('CONSOLE_LINK_TTL', nonEmpty(env.CONSOLE_LINK_TTL) ?? 'PT10M'),
      sessionIdle: parseIsoDuration('CONSOLE_SESSION_IDLE', nonEmpty(env.CONSOLE_SESSION_IDLE) ?? 'PT8H'),
    },
    wechaty: {
      puppet: nonEmpty(env.WECHATY_PUPPET),
      puppetToken: nonEmpty(env.WECHATY_PUPPET_TOKEN),
      staffIds: new Set(list(env.WECHATY_STAFF_IDS)),
      staffRoom: nonEmpty(env.WECHATY_STAFF_ROOM),
    },
  }
  if (config.responseDays === 'working') {
    const days = config.responseWindow.shiftTo('days').days
    if (!Number.isInteger(days) || days < 1) throw new ConfigError('RESPONSE_WINDOW', 'must be whole days (e.g. P15D) when RESPONSE_DAYS=working')
  }
  return Object.freeze(config)
}
