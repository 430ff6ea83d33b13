import type { StaffActor } from './actions.js'

/** A one-time sign-in link to the web console, or why none was issued. */
export type ConsoleLinkResult =
  | { readonly url: string; readonly expiresAt: Date }
  /** Too many links asked for lately (a stolen phone must not mint links without end). */
  | { readonly refused: 'too-many' }

/**
 * Issues console sign-in links for staff who send `/console` (控制台). The console is a door of its
 * own, built outside the assistant; the assistant only knows this port.
 */
export interface ConsoleLinks {
  issue(actor: StaffActor, now: Date): Promise<ConsoleLinkResult>
}
