/**
 * The session cookie. HttpOnly (no script reads it) and SameSite=Strict: a page on another site can
 * neither send it along with a forged form nor embed the console. WeChat's in-app browser is WebKit's
 * WKWebView on iOS (WeChat's own notes on it) and a Chromium-based kernel on Android; both keep
 * first-party cookies and apply SameSite as browsers do. Strict is enough there because the sign-in link is never followed by a redirect carrying the session:
 * /console/login answers 200 with the cookie and a page that moves on to /console by itself (meta
 * refresh) or by a tap; that next request starts from our own page, so it is same-site and the
 * cookie goes with it (a 303 from a navigation that began in the chat would count as cross-site and
 * arrive without it). Secure, and with the __Host- prefix (pinned to this host and path /), when
 * PUBLIC_URL is https. No Max-Age: it goes when the browser closes; the server ends it after
 * CONSOLE_SESSION_IDLE anyway.
 */
export interface SessionCookie {
  readonly name: string
  /** Set-Cookie value starting a session. */
  set(secret: string): string
  /** Set-Cookie value removing it. */
  clear(): string
}

export function sessionCookie(publicUrl: string): SessionCookie {
  const secure = new URL(publicUrl).protocol === 'https:'
  const name = secure ? '__Host-jiku-console' : 'jiku-console'
  const attributes = `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
  return {
    name,
    set: (secret) => `${name}=${secret}; ${attributes}`,
    clear: () => `${name}=; ${attributes}; Max-Age=0`,
  }
}
