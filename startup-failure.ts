/**
 * What an operator reads when the app or one of its scripts cannot start: one line naming the
 * variable to fix (a malformed value, a database that cannot be reached, a port in use), not a stack
 * trace of pg or of Node's module loader. Anything else is a bug and keeps its stack.
 */

/** A configuration value the app cannot run with; its message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * SQLSTATEs of a database that cannot be used at all: class 08 connection, 28 authorisation, 3D
 * missing, 55000 not accepting connections, 53300 too many, 57P01-57P03 shut down or terminated.
 */
const UNUSABLE_DATABASE_STATES = /^(08|28|3D)|^(55000|57P0[1-3]|53300)$/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

type ErrorLike = Error & { code?: unknown; port?: unknown; address?: unknown };

function causes(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let e = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e as ErrorLike);
  return chain;
}

/** `postgres://host:port/db` without user or password, for the line. */
function databaseWhere(url: string): string {
  if (!URL.canParse(url)) return 'DATABASE_URL';
  const { host, pathname } = new URL(url);
  return `DATABASE_URL (${host}${pathname})`;
}

/** The one line for a known start failure, or undefined for a bug (print its stack). */
export function explainStartupFailure(error: unknown, databaseUrl?: string): string | undefined {
  const chain = causes(error);
  const config = chain.find((e) => e instanceof ConfigError);
  if (config) return config.message;
  if (databaseUrl) {
    // Kysely reports a migration whose connection died (its ROLLBACK failed) as 'Postgres connection has been discarded'.
    const unreachable = chain.find(
      (e) =>
        (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNUSABLE_DATABASE_STATES.test(e.code))) ||
        /timeout exceeded when trying to connect|connection timeout|Connection terminated|connection has been discarded/i.test(e.message),
    );
    // pg reports a refused `localhost` (IPv4 and IPv6) as an AggregateError without a message.
    if (unreachable) return `cannot use the database at ${databaseWhere(databaseUrl)}: ${unreachable.message || String(unreachable.code)}`;
    const denied = chain.find((e) => e.code === '42501');
    if (denied) return explainMissingRight(denied, databaseUrl);
  }
  return undefined;
}

/**
 * SQLSTATE 42501 at start: the user of DATABASE_URL lacks a right the migrations (or the app) need.
 * Since PostgreSQL 15 only the owner of schema public may create in it, so a user made for the app
 * and not made the database's owner meets this at the first start.
 */
function explainMissingRight(error: ErrorLike & { hint?: unknown }, databaseUrl: string): string {
  const user = URL.canParse(databaseUrl) && new URL(databaseUrl).username ? decodeURIComponent(new URL(databaseUrl).username) : undefined;
  const who = user ? `user "${user}"` : 'the user of DATABASE_URL';
  const schema = /permission denied for schema (\S+)/.exec(error.message)?.[1];
  if (schema) {
    return `cannot migrate the database at ${databaseWhere(databaseUrl)}: ${who} may not create tables in it (${error.message}): GRANT CREATE ON SCHEMA ${schema} TO ${user ? `"${user}"` : 'that user'} (or make it the database's owner), or migrate it as a user who may (npm run migrate)`;
  }
  const hint = typeof error.hint === 'string' ? `; ${error.hint}` : '';
  return `cannot use the database at ${databaseWhere(databaseUrl)}: ${who} lacks a right the app needs (${error.message}${hint}): grant it, or make that user the database's owner`;
}

/** The one line for a server socket that could not open (HOST, PORT or METRICS_PORT). */
export function explainListenFailure(error: Error, variables: string): string {
  const { code, port } = error as ErrorLike;
  if (code === 'EADDRINUSE') return `cannot listen on port ${String(port)}: it is in use by another process (${variables})`;
  if (code === 'EACCES') return `cannot listen on port ${String(port)}: permission denied, use a port above 1023 (${variables})`;
  return `cannot listen: ${error.message} (${variables})`;
}

/** Why fetch failed, from its cause (`connect ECONNREFUSED 127.0.0.1:9`), for a one-line message. */
export function unreachable(error: Error): string {
  const cause = error.cause as ErrorLike | undefined;
  return cause?.message || (cause?.code ? String(cause.code) : error.message);
}

/** Prints the one line (or, for a bug, the stack) to standard error and exits 1. */
export function exitOnStartupFailure(error: unknown, databaseUrl?: string): never {
  return exitWithLine(explainStartupFailure(error, databaseUrl) ?? (error instanceof Error ? (error.stack ?? error.message) : String(error)));
}

export function exitWithLine(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

/**
 * For a script (`npm run migrate` …): loads its configuration with `load` and ends any failure
 * after that (or of `load` itself) through exitOnStartupFailure, naming the script's DATABASE_URL.
 */
export function exitOnScriptFailure<T extends { DATABASE_URL?: string }>(load: () => T): T {
  let databaseUrl: string | undefined;
  process.on('uncaughtException', (error) => exitOnStartupFailure(error, databaseUrl));
  const config = load();
  databaseUrl = config.DATABASE_URL;
  return config;
}
