import { createHash, randomBytes } from 'node:crypto'
import { sha256Hex } from '../digest.js'

/** A fresh secret: 256 random bits, URL-safe. */
export const newToken = (): string => randomBytes(32).toString('base64url')

/** What is stored in place of a secret: its SHA-256, so a copy of DATA_DIR lets no one in. */
export const digest = (secret: string): string => sha256Hex(secret)

/**
 * The session's CSRF token, derived from the session secret: forms carry it, a cross-site page cannot
 * read it, and nothing more has to be stored. The secret cannot be recovered from it.
 */
export const csrfToken = (sessionSecret: string): string => createHash('sha256').update(`csrf\0${sessionSecret}`, 'utf8').digest('base64url')
