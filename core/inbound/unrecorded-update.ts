/**
 * The update could not be recorded at all: the database is unreachable, out of connections or
 * timed out. Nothing of it was committed, so the messenger must not be told it arrived: webhooks
 * answer 5xx and pollers keep their offset, and the messenger delivers it again later.
 */
export class UnrecordedUpdateError extends Error {
  readonly updateId: string;

  constructor(updateId: string, cause: unknown) {
    super(`update ${updateId} could not be recorded`, { cause });
    this.name = 'UnrecordedUpdateError';
    this.updateId = updateId;
  }
}
