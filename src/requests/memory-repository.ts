import type { Duration } from 'luxon'
import type { Clock } from '../clock.js'
import { RequestNotFoundError } from './errors.js'
import { newRequestId } from './ids.js'
import type { AuditInput, NewRequest, RequestChange, RequestFilter, RightsRequest } from './model.js'
import {
  applyChange,
  buildRecord,
  byCreation,
  isOpen,
  isPurgeable,
  matchesFilter,
  purgeCutoff,
  purgeRecord,
} from './records.js'
import type { RequestRepository } from './repository.js'
import { personKey } from '../person-key.js'

/** A RequestRepository held only in memory, with the same invariants as the file-backed one; for tests. */
export class MemoryRequestRepository implements RequestRepository {
  readonly #clock: Clock
  readonly #records = new Map<string, RightsRequest>()
  #closed = false

  constructor(options: { clock: Clock; records?: Iterable<RightsRequest> }) {
    this.#clock = options.clock
    for (const r of options.records ?? []) this.#records.set(r.id, r)
  }

  async create(input: NewRequest, audit: AuditInput = { actor: 'user', action: 'created' }): Promise<RightsRequest> {
    this.#assertOpen()
    let id = newRequestId(this.#clock)
    while (this.#records.has(id)) id = newRequestId(this.#clock)
    const record = buildRecord(id, input, this.#clock.now(), audit)
    this.#records.set(id, record)
    return record
  }

  async get(id: string): Promise<RightsRequest | undefined> {
    return this.#records.get(id)
  }

  async listByUser(channel: string, userId: string): Promise<RightsRequest[]> {
    const key = personKey({ channel, userId })
    return [...this.#records.values()].filter((r) => personKey(r) === key).sort(byCreation)
  }

  async list(filter?: RequestFilter): Promise<RightsRequest[]> {
    return [...this.#records.values()].filter((r) => matchesFilter(r, filter)).sort(byCreation)
  }

  async update(id: string, change: RequestChange, audit: AuditInput): Promise<RightsRequest> {
    this.#assertOpen()
    const current = this.#records.get(id)
    if (!current) throw new RequestNotFoundError(id)
    const next = applyChange(current, change, audit, this.#clock.now())
    this.#records.set(id, next)
    return next
  }

  async countOpenByUser(channel: string, userId: string): Promise<number> {
    return (await this.listByUser(channel, userId)).filter(isOpen).length
  }

  async purgeExpired(now: Date, retention: Duration): Promise<number> {
    this.#assertOpen()
    const cutoff = purgeCutoff(now, retention)
    let count = 0
    for (const r of this.#records.values()) {
      if (!isPurgeable(r, cutoff)) continue
      this.#records.set(r.id, purgeRecord(r, now))
      count++
    }
    return count
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('MemoryRequestRepository is closed')
  }
}
