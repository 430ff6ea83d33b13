import type { HeldNotices, Notifier } from '../../src/assistant/notifier.js'

/** A Notifier that cannot push: every message waits for the recipient's next message. */
export function holdingNotifier(held: HeldNotices): Notifier {
  return {
    async notify(to, text) {
      await held.hold(to, text)
      return 'held'
    },
  }
}
