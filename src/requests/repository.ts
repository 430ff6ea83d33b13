import type { Duration } from 'luxon'
import type { AuditInput, NewRequest, RequestChange, RequestFilter, RightsRequest } from './model.js'

export { RequestNotFoundError, InvalidRequestError } from './errors.js'

/**
 * Storage of rights requests and inquiries. Returned records are deeply frozen snapshots;
 * change them only through `update`.
 */
export interface RequestRepository {
  /**
   * Files a new request with a fresh id and a first audit entry (default: user "created").
   * Resolves only once the record is durably on disk.
   */
  create(input: NewRequest, audit?: AuditInput): Promise<RightsRequest>
  /** The request, or undefined. Ids are matched exactly (normalise user input with parseRequestId). */
  get(id: string): Promise<RightsRequest | undefined>
  /** All requests of one requester, oldest first. */
  listByUser(channel: string, userId: string): Promise<RightsRequest[]>
  /** All requests matching the filter, oldest first. */
  list(filter?: RequestFilter): Promise<RightsRequest[]>
  /**
   * Applies a patch or mutator and appends the audit entry in the same durable write.
   * Throws RequestNotFoundError for an unknown id. Resolves with the new version.
   */
  update(id: string, change: RequestChange, audit: AuditInput): Promise<RightsRequest>
  /** Requests of this requester still in submitted, verified or replied. */
  countOpenByUser(channel: string, userId: string): Promise<number>
  /**
   * Anonymises closed/rejected requests whose closedAt is older than `retention` before `now`:
   * personal = null, reply texts removed, purgedAt set, a system "purged" audit entry appended.
   * Already purged records are skipped, so running it again purges nothing. Returns the count.
   */
  purgeExpired(now: Date, retention: Duration): Promise<number>
  /** Waits for pending writes; the repository must not be used afterwards. */
  close(): Promise<void>
}
