/**
 * PostgreSQL's unique_violation (SQLSTATE 23505): a row with the same unique value already exists.
 * Services check for duplicates before they insert, but a concurrent request can write the same
 * value between the check and the insert; the constraint then has the last word.
 */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '23505';
}
