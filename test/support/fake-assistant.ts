import type { Assistant, Incoming, Reply } from '../../src/assistant/types.js'

/** Records every Incoming; answers via `respond` (default: echoes the kind). */
export class FakeAssistant implements Assistant {
  readonly calls: Incoming[] = []
  constructor(public respond: (incoming: Incoming) => Promise<Reply | null> = async (i) => ({ text: `kind:${i.kind}` })) {}
  handle(incoming: Incoming): Promise<Reply | null> {
    this.calls.push(incoming)
    return this.respond(incoming)
  }
}
