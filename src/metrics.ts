import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import type { RequestRepository } from './requests/repository.js'

/** What the assistant counts as it works. */
export interface AssistantMetrics {
  message(channel: string, kind: string): void
  policyAnswer(): void
  policyFallback(): void
}

export interface MetricsSources {
  readonly requests: RequestRepository
  readonly outboxDepth?: () => number
  readonly now: () => Date
}

/**
 * Prometheus metrics: counters updated as messages flow, gauges computed from storage at scrape
 * time (requests by state, overdue, outbox depth) so they are right after a restart too.
 */
export function createMetrics(): { registry: Registry; assistant: AssistantMetrics; bind(sources: MetricsSources): void } {
  const registry = new Registry()
  // Process memory, heap, event-loop lag and GC: what an operator watches first.
  collectDefaultMetrics({ register: registry, prefix: 'privacy_bot_' })
  const messages = new Counter({ name: 'privacy_bot_messages_total', help: 'Incoming messages by channel and kind', labelNames: ['channel', 'kind'], registers: [registry] })
  const answers = new Counter({ name: 'privacy_bot_policy_answers_total', help: 'Policy questions answered from the policy vs. fallbacks', labelNames: ['outcome'], registers: [registry] })
  let sources: MetricsSources | undefined
  new Gauge({
    name: 'privacy_bot_requests',
    help: 'Rights requests and inquiries by state',
    labelNames: ['state', 'kind'],
    registers: [registry],
    async collect() {
      if (!sources) return
      this.reset()
      for (const r of await sources.requests.list()) this.inc({ state: r.state, kind: r.kind })
    },
  })
  new Gauge({
    name: 'privacy_bot_requests_overdue',
    help: 'Open verified requests past their due time',
    registers: [registry],
    async collect() {
      if (!sources) return
      const now = sources.now().getTime()
      const open = await sources.requests.list({ states: ['verified', 'replied'] })
      this.set(open.filter((r) => r.dueAt && Date.parse(r.dueAt) < now).length)
    },
  })
  new Gauge({
    name: 'privacy_bot_outbox_depth',
    help: 'Outgoing messages waiting to be delivered',
    registers: [registry],
    collect() {
      this.set(sources?.outboxDepth?.() ?? 0)
    },
  })
  return {
    registry,
    assistant: {
      message: (channel, kind) => messages.inc({ channel, kind }),
      policyAnswer: () => answers.inc({ outcome: 'answer' }),
      policyFallback: () => answers.inc({ outcome: 'fallback' }),
    },
    bind(s) {
      sources = s
    },
  }
}
