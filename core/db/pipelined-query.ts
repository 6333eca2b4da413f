import { createRequire } from 'node:module';
import pg from 'pg';

/** pg's own mapping of a parameter to its wire text (Dates, arrays, JSON), as its Query binds them. */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

/**
 * One statement sent together with parameterless commands that must run before it (a deferred
 * BEGIN, a SAVEPOINT) and after it (the COMMIT of a transaction's last statement), and with
 * statements that follow it (`followers`, with their parameters: the next statement of a caller
 * that knows it in advance): one network write and one Sync for all of them, so they cost no round
 * trip of their own (PostgreSQL's extended query protocol runs the messages in order, each
 * statement with its own snapshot; an error skips the rest up to the Sync, so a failing statement
 * is never committed). Statements keep their parameters as parameters. pg's Query does the rest:
 * each command completes as one more result, in order.
 */
interface QueryConnection {
  sync(): void;
  on(event: 'parseComplete', listener: () => void): void;
  off(event: 'parseComplete', listener: () => void): void;
  parsedStatements: Record<string, string>;
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: unknown[]; valueMapper?: (value: unknown) => unknown }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string }): void;
}

/** A statement after the main one, in the same round trip: named (prepared once per connection) or not. */
export interface Follower {
  text: string;
  values: unknown[];
  name?: string;
}

const BaseQuery = pg.Query as unknown as new (
  text: string,
  values: unknown[],
  callback: (error: Error | null, result: unknown) => void,
) => {
  submit(connection: QueryConnection): Error | null;
  prepare(connection: QueryConnection): void;
  hasBeenParsed(connection: QueryConnection): boolean;
  handleError(error: Error, connection: QueryConnection): void;
  handleReadyForQuery(connection: QueryConnection): void;
  _getRows(connection: QueryConnection, rows?: number): void;
  queryMode?: string;
  name?: string;
};

class PipelinedQuery extends BaseQuery {
  private readonly prefix: readonly string[];
  private readonly followers: readonly Follower[];
  private readonly suffix: readonly string[];
  constructor(
    prefix: readonly string[],
    followers: readonly Follower[],
    suffix: readonly string[],
    config: { text: string; values: unknown[]; name?: string; callback: (error: Error | null, result: unknown) => void },
  ) {
    // The text, values and callback as arguments: a config object pg's Query would copy property by
    // property (getOwnPropertyDescriptors, then defineProperties: ~1 % of the app's CPU per update).
    super(config.text, config.values, config.callback);
    if (config.name !== undefined) this.name = config.name;
    this.prefix = prefix;
    this.followers = followers;
    this.suffix = suffix;
    // Extended protocol even without parameters: the prefix rides in the same Sync.
    this.queryMode = 'extended';
  }

  /** ParseComplete messages this query expects and has seen (the prefix's, then its own statement's). */
  private parsesExpected = 0;
  private parsesSeen = 0;
  /** Followers parsed in this round trip, in order (named ones are marked parsed as their ParseComplete arrives). */
  private followerParses: Follower[] = [];
  private connection?: QueryConnection;
  private readonly countParse = () => {
    this.parsesSeen += 1;
    const follower = this.followerParses[this.parsesSeen - this.parsesExpected - 1];
    if (follower?.name && this.connection) this.connection.parsedStatements[follower.name] = follower.text;
  };

  override submit(connection: QueryConnection): Error | null {
    const ownParse = this.name && !this.hasBeenParsed(connection) ? this.name : undefined;
    this.parsesExpected = this.prefix.length + (ownParse ? 1 : 0);
    // A named follower is parsed unless the connection has it, or an earlier statement of this round trip parses it.
    const scheduled = new Set(ownParse ? [ownParse] : []);
    this.followerParses = this.followers.filter((f) => {
      if (!f.name) return true;
      if (connection.parsedStatements[f.name] !== undefined || scheduled.has(f.name)) return false;
      scheduled.add(f.name);
      return true;
    });
    this.connection = connection;
    connection.on('parseComplete', this.countParse);
    return super.submit(connection);
  }

  override handleError(error: Error, connection: QueryConnection): void {
    // pg marks a named statement parsed at any ParseComplete while it is the active query, the
    // prefix's too: when its own Parse never completed (it failed, or an earlier message did),
    // take that back, or the next use would skip the Parse of a statement the server lacks.
    if (this.name && this.parsesExpected > this.prefix.length && this.parsesSeen < this.parsesExpected) delete connection.parsedStatements[this.name];
    this.detach();
    super.handleError(error, connection);
  }

  override handleReadyForQuery(connection: QueryConnection): void {
    this.detach();
    super.handleReadyForQuery(connection);
  }

  private detach(): void {
    this.connection?.off('parseComplete', this.countParse);
    this.connection = undefined;
  }

  override prepare(connection: QueryConnection): void {
    for (const text of this.prefix) runUnnamed(connection, text);
    super.prepare(connection);
  }

  /** pg's last step of prepare(): Execute, then Sync; the followers and the suffix go between them. */
  override _getRows(connection: QueryConnection, rows?: number): void {
    if (rows || (this.suffix.length === 0 && this.followers.length === 0)) {
      super._getRows(connection, rows);
      return;
    }
    connection.execute({ portal: '' });
    for (const follower of this.followers) {
      if (this.followerParses.includes(follower)) connection.parse({ text: follower.text, name: follower.name ?? '', types: [] });
      connection.bind({ portal: '', statement: follower.name ?? '', values: follower.values, valueMapper: prepareValue });
      connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '' });
    }
    for (const text of this.suffix) runUnnamed(connection, text);
    connection.sync();
  }
}

function runUnnamed(connection: QueryConnection, text: string): void {
  connection.parse({ text, name: '', types: [] });
  connection.bind({ portal: '', statement: '', values: [] });
  connection.execute({ portal: '' });
}

/**
 * Runs `config` on `client` between `prefix` and `suffix`, its `followers` right after it, in one
 * round trip; resolves with the statement's own result and each follower's.
 */
export function queryBetween(
  client: pg.PoolClient,
  prefix: readonly string[],
  config: { text: string; values: unknown[]; name?: string },
  suffix: readonly string[] = [],
  followers: readonly Follower[] = [],
): Promise<{ result: pg.QueryResult; followers: pg.QueryResult[] }> {
  return new Promise((resolve, reject) => {
    const query = new PipelinedQuery(prefix, followers, suffix, {
      ...config,
      callback: (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const results = (Array.isArray(result) ? result : [result]) as pg.QueryResult[];
        resolve({ result: results[prefix.length]!, followers: results.slice(prefix.length + 1, prefix.length + 1 + followers.length) });
      },
    });
    client.query(query as unknown as pg.Submittable);
  });
}
