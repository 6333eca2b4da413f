import pg from 'pg';

/**
 * One statement sent together with parameterless commands that must run before it (a deferred
 * BEGIN, a SAVEPOINT): one network write and one Sync for all of them, so they cost no round trip
 * of their own (PostgreSQL's extended query protocol runs the messages in order; an error skips the
 * rest up to the Sync). The statement keeps its parameters as parameters. pg's Query does the rest:
 * each prefix command completes as one more result before the statement's own, and the results
 * come back as an array whose last element is the statement's.
 */
interface QueryConnection {
  on(event: 'parseComplete', listener: () => void): void;
  off(event: 'parseComplete', listener: () => void): void;
  parsedStatements: Record<string, string>;
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: unknown[] }): void;
  execute(config: { portal: string }): void;
}

const BaseQuery = pg.Query as unknown as new (
  config: pg.QueryConfig & { callback: (error: Error | null, result: unknown) => void },
) => {
  submit(connection: QueryConnection): Error | null;
  prepare(connection: QueryConnection): void;
  hasBeenParsed(connection: QueryConnection): boolean;
  handleError(error: Error, connection: QueryConnection): void;
  handleReadyForQuery(connection: QueryConnection): void;
  queryMode?: string;
  name?: string;
};

class PrefixedQuery extends BaseQuery {
  private readonly prefix: readonly string[];
  constructor(prefix: readonly string[], config: pg.QueryConfig & { callback: (error: Error | null, result: unknown) => void }) {
    super(config);
    this.prefix = prefix;
    // Extended protocol even without parameters: the prefix rides in the same Sync.
    this.queryMode = 'extended';
  }

  /** ParseComplete messages this query expects and has seen (the prefix's, then its own statement's). */
  private parsesExpected = 0;
  private parsesSeen = 0;
  private connection?: QueryConnection;
  private readonly countParse = () => {
    this.parsesSeen += 1;
  };

  override submit(connection: QueryConnection): Error | null {
    this.parsesExpected = this.prefix.length + (this.name && !this.hasBeenParsed(connection) ? 1 : 0);
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
    for (const text of this.prefix) {
      connection.parse({ text, name: '', types: [] });
      connection.bind({ portal: '', statement: '', values: [] });
      connection.execute({ portal: '' });
    }
    super.prepare(connection);
  }
}

/** Runs `config` on `client` after `prefix` in one round trip; resolves with the statement's own result. */
export function queryAfter(client: pg.PoolClient, prefix: readonly string[], config: { text: string; values: unknown[]; name?: string }): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    const query = new PrefixedQuery(prefix, {
      ...config,
      callback: (error, result) => {
        if (error) reject(error);
        else resolve((Array.isArray(result) ? result.at(-1) : result) as pg.QueryResult);
      },
    });
    client.query(query as unknown as pg.Submittable);
  });
}
