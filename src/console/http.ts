import type { Context, Middleware } from 'koa'
import getRawBody from 'raw-body'

/** What the console's pages allow: nothing inline, nothing from elsewhere, no framing. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/** Headers on every console response; pages with data are never stored by the browser or a proxy. */
export const consoleHeaders: Middleware = async (ctx, next) => {
  ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  ctx.set('X-Content-Type-Options', 'nosniff')
  // The sign-in token is in a URL: never pass it (or any console URL) on to another site.
  ctx.set('Referrer-Policy', 'no-referrer')
  ctx.set('X-Frame-Options', 'DENY')
  ctx.set('Cache-Control', 'no-store')
  await next()
}

/** Longest form body accepted (a reply is at most 1,500 characters). */
const FORM_LIMIT = '32kb'

/** Reads a urlencoded form body; anything else is a 415. */
export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) ctx.throw(415)
  const raw = await getRawBody(ctx.req, { limit: FORM_LIMIT, encoding: 'utf8', length: ctx.get('content-length') || undefined })
  return new URLSearchParams(raw)
}

/** A 303 See Other: after a form post the browser fetches the page with GET. */
export function seeOther(ctx: Context, to: string): void {
  ctx.status = 303
  ctx.set('Location', to)
  ctx.body = ''
}

export function html(ctx: Context, status: number, body: string): void {
  ctx.status = status
  ctx.type = 'text/html; charset=utf-8'
  ctx.body = body
}
