import type { CompiledQuery, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { queryBetween, type Follower } from './pipelined-query.ts';

/**
 * A pool for the paths that run the same few statements per inbound update and per outbox send
 * (bots, outbox), cutting PostgreSQL's work and the round trips per update (bench/inbound-queries.ts):
 *
 * - Statements with parameters are prepared on the server once per connection (pg's named
 *   statements), then only bound and executed: parsing and planning them each time was half of
 *   PostgreSQL's CPU per update. Reports, lists and other ad-hoc queries stay on the plain pool:
 *   a generic plan, which PostgreSQL may pick after five executions of a prepared statement, can
 *   be poor for their skewed filters.
 * - BEGIN and SAVEPOINT are not sent on their own: they go with the next statement, in its network
 *   write (core/db/pipelined-query.ts). A transaction or savepoint that ends before any statement
 *   ran costs nothing. A statement marked as its transaction's last (`asLastStatement`) carries
 *   the COMMIT the same way.
 *
 * A statement's name is its text's number in this process (at most `maxStatements` texts; more
 * run unnamed). A statement the server no longer has (a pooler in transaction mode, DISCARD ALL)
 * or whose result columns changed (a migration by another instance) fails once; its text then gets
 * a new name, so the next use prepares it again. Behind a pooler in transaction mode turn this off
 * (`DATABASE_PREPARED_STATEMENTS=false`).
 */
export function preparingPool(pool: pg.Pool, maxStatements = 1000): PostgresPool {
  const names = new Map<string, string>();
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();

  const nameOf = (text: string): string | undefined => {
    const known = names.get(text);
    if (known !== undefined || names.size >= maxStatements) return known;
    const name = `otklik_${++statementCount}`;
    names.set(text, name);
    return name;
  };
  /** Only statements with parameters are prepared: the rest (transaction control, constants) gains nothing from it. */
  const nameFor = (text: string, params: readonly unknown[]) => (params.length > 0 ? nameOf(text) : undefined);
  const forget = (text: string, error: unknown) => {
    const code = (error as { code?: string } | null)?.code;
    // 26000: the prepared statement is gone; 0A000: "cached plan must not change result type".
    if (code === '26000' || code === '0A000') names.delete(text);
  };

  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    /** BEGIN / SAVEPOINT commands not sent yet: they go with the next statement. */
    let deferred: string[] = [];
    /** The transaction's last statement committed it: only Kysely's COMMIT (or ROLLBACK) may follow. */
    let committed = false;

    /** Transaction control that needs no round trip now: a result, or undefined to send it. */
    const withoutRoundTrip = (text: string): Promise<pg.QueryResult> | undefined => {
      const control = controlOf(text);
      if (!control) return undefined;
      const opened = deferred.length > 0 && controlOf(deferred[0]!)?.kind === 'begin';
      switch (control.kind) {
        case 'begin':
          if (deferred.length > 0) return undefined;
          deferred.push(text);
          return completed('BEGIN');
        case 'savepoint':
          deferred.push(text);
          return completed('SAVEPOINT');
        case 'commit':
        case 'rollback':
          // Nothing ran since BEGIN: there is no transaction to end on the server.
          if (!opened) return undefined;
          deferred = [];
          return completed(control.kind === 'commit' ? 'COMMIT' : 'ROLLBACK');
        case 'rollback_to':
        case 'release': {
          // Nothing ran since the savepoint: rolling back to it changes nothing; releasing forgets it.
          const at = deferred.findLastIndex((d) => savepointOf(d) === control.savepoint);
          if (at < 0) return undefined;
          deferred = deferred.slice(0, control.kind === 'release' ? at : at + 1);
          return completed(control.kind === 'release' ? 'RELEASE' : 'ROLLBACK');
        }
      }
    };

    /** Results of statements that went ahead with the one before them (`sendWith`), until the caller runs them. */
    const ranAhead = new Map<object, pg.QueryResult>();

    const query = ((...args: unknown[]) => {
      const [text, values] = args;
      // A cursor (no text) goes through as it came; Kysely opens none here (no cursor is configured).
      if (typeof text !== 'string') return (client.query as (...a: unknown[]) => unknown)(...args);
      const params = Array.isArray(values) ? (values as unknown[]) : [];
      const ahead = ranAhead.get(params);
      if (ahead) {
        ranAhead.delete(params);
        return Promise.resolve(ahead);
      }
      if (committed) return afterCommit(text, params);
      if (params.length === 0) {
        const done = withoutRoundTrip(text);
        if (done) return done;
      }
      const prefix = deferred;
      deferred = [];
      const last = lastStatements.has(values as object);
      const next = nextStatements.get(params);
      const name = nameFor(text, params);
      if (prefix.length === 0 && name === undefined && !last && !next) return client.query(text, params);
      const nextName = next && nameFor(next.sql, next.parameters);
      const followers: Follower[] = next ? [{ text: next.sql, values: [...next.parameters], ...(nextName && { name: nextName }) }] : [];
      return queryBetween(client, prefix, { text, values: params, ...(name && { name }) }, last ? ['COMMIT'] : [], followers).then(
        (results) => {
          committed = last;
          if (next) ranAhead.set(next.parameters, results.followers[0]!);
          return results.result;
        },
        (error: unknown) => {
          // Failed: the COMMIT did not run (or failed and ended the transaction); Kysely's ROLLBACK goes out as usual.
          forget(text, error);
          if (next) forget(next.sql, error);
          throw error;
        },
      );
    }) as PostgresPoolClient['query'];

    const afterCommit = (text: string, params: unknown[]): Promise<pg.QueryResult> => {
      const control = params.length === 0 ? controlOf(text) : undefined;
      if (control?.kind !== 'commit' && control?.kind !== 'rollback') {
        return Promise.reject(new Error('a statement after its transaction was committed by its last statement (asLastStatement)'));
      }
      committed = false;
      // A ROLLBACK here comes too late: the work is committed (the caller failed after its last statement).
      return completed(control.kind === 'commit' ? 'COMMIT' : 'ROLLBACK');
    };

    return {
      query,
      release: (destroy?: boolean) => {
        deferred = [];
        committed = false;
        ranAhead.clear();
        client.release(destroy);
      },
      // Kysely reads the backend's pid to cancel a query (an undocumented member of pg's Client).
      get processID() {
        return (client as unknown as { processID?: number }).processID;
      },
    } as PostgresPoolClient;
  };

  return {
    Client: (pool as unknown as PostgresPool).Client,
    options: pool.options,
    async connect() {
      const client = await pool.connect();
      const known = wrappers.get(client);
      if (known) return known;
      const wrapper = wrap(client);
      wrappers.set(client, wrapper);
      return wrapper;
    },
    // The plain Kysely instance owns the pool and ends it.
    end: async () => {},
  };
}

const lastStatements = new WeakSet<object>();

/**
 * Marks a statement as the last of its transaction: on the preparing pool its COMMIT goes in the
 * same round trip (a failing statement is not committed: it aborts the transaction as usual). The
 * caller runs no statement after it in the transaction (one would fail). Elsewhere (the plain
 * pool, PGlite) it changes nothing: the transaction commits when its callback returns.
 */
export function asLastStatement<Q extends CompiledQuery>(query: Q): Q {
  lastStatements.add(query.parameters);
  return query;
}

const nextStatements = new WeakMap<object, CompiledQuery>();

/**
 * Sends `next` in the same round trip as `first`, right after it (its own snapshot: it sees what
 * `first` wrote and any lock `first` waited for): for a caller that knows its next statement before
 * running the first. The caller runs `first`, then `next` on the same transaction, which returns
 * the result it already has without a round trip. If `first` fails, `next` did not run. If the
 * caller then decides not to run `next`, it ran all the same: the caller rolls the transaction
 * back. Elsewhere (the plain pool, PGlite) it changes nothing: `next` runs when the caller runs it.
 */
export function sendWith<Q extends CompiledQuery>(first: Q, next: CompiledQuery): Q {
  nextStatements.set(first.parameters, next);
  return first;
}

/** Names are unique in the process: pools over one pg.Pool share its connections. */
let statementCount = 0;

type Control = { kind: 'begin' | 'commit' | 'rollback' } | { kind: 'savepoint' | 'rollback_to' | 'release'; savepoint: string };

/** Transaction control as Kysely and the dialog engine write it (`begin`, `savepoint "x"`, `ROLLBACK TO SAVEPOINT x` …). */
function controlOf(text: string): Control | undefined {
  const words = text.trim().toLowerCase().split(/\s+/);
  const [first, second] = words;
  if (first === 'begin' || (first === 'start' && second === 'transaction')) return { kind: 'begin' };
  if ((first === 'commit' || first === 'end') && words.length === 1) return { kind: 'commit' };
  if ((first === 'rollback' || first === 'abort') && words.length === 1) return { kind: 'rollback' };
  const savepoint = savepointOf(text);
  if (savepoint === undefined) return undefined;
  if (first === 'savepoint') return { kind: 'savepoint', savepoint };
  if (first === 'rollback') return { kind: 'rollback_to', savepoint };
  return { kind: 'release', savepoint };
}

/** The savepoint a SAVEPOINT / ROLLBACK TO / RELEASE names, unquoted. */
function savepointOf(text: string): string | undefined {
  const match = /^\s*(?:savepoint|rollback\s+to(?:\s+savepoint)?|release(?:\s+savepoint)?)\s+("?)([a-z_][a-z0-9_]*)\1\s*$/i.exec(text);
  return match ? match[2] : undefined;
}

const completed = (command: string): Promise<pg.QueryResult> => Promise.resolve({ command, rowCount: null, rows: [], oid: 0, fields: [] });
