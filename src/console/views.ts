import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import { RIGHT_TYPES } from '../requests/model.js'
import { rightName } from '../assistant/rights/texts.js'
import { STATE_NAMES } from '../assistant/request-texts.js'
import type { StateFilter } from './queue.js'

/**
 * Templates in ./views, rendered by Eta with auto-escaping on: every `<%= %>` is HTML-escaped, so
 * whatever a requester typed shows as text. `<%~ %>` (raw) is used only for HTML built here: the page
 * body inside the layout and the server-drawn SVG chart.
 */
const eta = new Eta({ views: fileURLToPath(new URL('./views', import.meta.url)), autoEscape: true, cache: true })

/** What every page's frame needs. */
export interface Chrome {
  readonly title: string
  /** The signed-in staff member's CSRF token: the sign-out form and the navigation show only with it. */
  readonly csrf?: string
  readonly active?: 'queue' | 'dashboard' | 'unanswered'
  /** Where the page moves on to by itself (the sign-in landing page). */
  readonly refreshTo?: string
}

/** A whole page: `name`'s template inside the layout. */
export function page(name: string, data: object, chrome: Chrome): string {
  return eta.render('layout', { ...chrome, body: eta.render(name, data) })
}

export const STATE_FILTER_NAMES: Record<StateFilter, string> = {
  open: '待处理 Open',
  overdue: '已逾期 Overdue',
  submitted: `${STATE_NAMES.submitted.zh} Submitted`,
  verified: `${STATE_NAMES.verified.zh} Verified`,
  replied: `${STATE_NAMES.replied.zh} Replied`,
  closed: `${STATE_NAMES.closed.zh} Closed`,
  rejected: `${STATE_NAMES.rejected.zh} Rejected`,
  all: '全部 All',
}

/** The type filter's options: every right, by its names. */
export const TYPE_OPTIONS = RIGHT_TYPES.map((t) => ({ value: t, label: `${rightName(t, 'zh')} ${rightName(t, 'en')}` }))
