import { StorageUnavailableError } from '../errors.js'

/** Network errors of the socket to the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])

/**
 * SQLSTATEs meaning "the server cannot serve you right now", not "your query is wrong":
 * class 08 (connection exception), shutdown and start-up (57P01–57P03), too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/

/** The error's code when it means the server is out of reach, else undefined. */
export function unavailableCode(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined
  const code = (e as { code?: unknown }).code
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return code
  // node-postgres raises these without a code.
  if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message)) return 'CONNECTION_LOST'
  return undefined
}

/** Turns a connection failure into StorageUnavailableError; anything else passes through unchanged. */
export function asUnavailable(e: unknown): unknown {
  if (e instanceof StorageUnavailableError) return e
  const code = unavailableCode(e)
  return code ? new StorageUnavailableError('postgres', code, { cause: e }) : e
}
