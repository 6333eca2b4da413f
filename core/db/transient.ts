/**
 * SQLSTATE codes (and classes) that say "the database could not do it now", not "this input is
 * bad": the same statement may well succeed later. Everything else is treated as permanent.
 */
const TRANSIENT_CLASSES = ['08', '53', '58']; // connection exception, insufficient resources, system error
const TRANSIENT_CODES = new Set([
  '57P01', // admin_shutdown: our backend was terminated
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '25P03', // idle_in_transaction_session_timeout
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '25006', // read_only_sql_transaction: a standby after a failover
  '26000', // invalid_sql_statement_name: a prepared statement the session lost (core/db/prepared.ts prepares it again)
]);

/** Errors of the client side of the connection (node-postgres, pg-pool, sockets). */
const CLIENT_MESSAGES = [
  'cached plan must not change result type', // 0A000: a migration changed a prepared statement's columns (prepared again)
  'timeout exceeded when trying to connect', // pg-pool: no free connection in time
  'connection terminated',
  'connection timeout',
  'client has encountered a connection error',
  'cannot use a pool after calling end',
];
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * Whether an error means the database was unreachable, overloaded or timed out, so the work was
 * not done and may be retried as it is. A FATAL error always ends the session, so it counts too
 * (a database refusing connections answers FATAL 55000).
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || TRANSIENT_CODES.has(code)) return true;
    if (code.length === 5 && TRANSIENT_CLASSES.includes(code.slice(0, 2))) return true;
  }
  const message = error.message.toLowerCase();
  if (CLIENT_MESSAGES.some((m) => message.includes(m))) return true;
  return error.cause !== undefined && error.cause !== error && isTransientDatabaseError(error.cause);
}
