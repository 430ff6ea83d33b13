/** Thrown by update() for an id the repository does not hold. */
export class RequestNotFoundError extends Error {
  override readonly name = 'RequestNotFoundError'
  constructor(readonly requestId: string) {
    super(`No request with id ${requestId}`)
  }
}

/** Thrown when a create or update would break a record invariant (a programming error in the caller). */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError'
}
