import { safeEqual } from '../safe-equal.js'
import { csrfToken } from './tokens.js'

/** Why a form post was refused: a foreign page sent it, or it lacks this session's token. */
export type CsrfRefusal = 'foreign-origin' | 'cross-site' | 'bad-token'

export interface PostFacts {
  /** The Origin header ('' when absent). */
  readonly origin: string
  /** The Sec-Fetch-Site header ('' when absent). */
  readonly secFetchSite: string
  /** The form's `csrf` field. */
  readonly token: string | undefined
}

/**
 * Checks a state-changing POST. Browsers send Origin on every POST; when present it must be the
 * console's own (PUBLIC_URL's origin; "null" from a sandboxed or privacy-stripped page is refused
 * too). A missing Origin (an old browser) is accepted only with the right token, which every form of
 * this session carries and no other site can read.
 */
export function checkPost(facts: PostFacts, sessionSecret: string, publicOrigin: string): CsrfRefusal | undefined {
  if (facts.origin !== '' && facts.origin !== publicOrigin) return 'foreign-origin'
  if (facts.secFetchSite === 'cross-site') return 'cross-site'
  if (!facts.token || !safeEqual(csrfToken(sessionSecret), facts.token)) return 'bad-token'
  return undefined
}
