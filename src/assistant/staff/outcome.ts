import type { RightsRequest } from '../../requests/model.js'
import type { Delivery } from '../notifier.js'

/** What a staff action did, or why it did nothing. */
export type ActionOutcome =
  | { readonly done: true; readonly request: RightsRequest; readonly delivery: Delivery }
  | { readonly done: false; readonly request: RightsRequest; readonly refused: 'inquiry-needs-no-verification' | 'not-awaiting-verification' | 'final' }
