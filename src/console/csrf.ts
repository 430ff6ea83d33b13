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
 * Checks a state-changing POST. Browsers send Origin on every POST; a real one must be the console's
 * own (PUBLIC_URL's origin). Our pages say Referrer-Policy: no-referrer (the sign-in token is in a
 * URL), and under that policy Chromium sends `Origin: null` even on our own form posts, so "null"
 * counts as no Origin: accepted only when Sec-Fetch-Site (sent whatever the referrer policy) does not
 * say another site, and with the right token, which every form of this session carries and no other
 * site can read. A missing Origin (an old browser) gets the same treatment.
 */
export function checkPost(facts: PostFacts, sessionSecret: string, publicOrigin: string): CsrfRefusal | undefined {
  if (facts.origin !== '' && facts.origin !== 'null' && facts.origin !== publicOrigin) return 'foreign-origin'
  if (facts.secFetchSite !== '' && facts.secFetchSite !== 'same-origin' && facts.secFetchSite !== 'none') return 'cross-site'
  if (!facts.token || !safeEqual(csrfToken(sessionSecret), facts.token)) return 'bad-token'
  return undefined
}
