import pg from 'pg';

/**
 * One statement sent together with parameterless commands that must run before it (a deferred
 * BEGIN, a SAVEPOINT) and after it (the COMMIT of a transaction's last statement): one network
 * write and one Sync for all of them, so they cost no round trip of their own (PostgreSQL's
 * extended query protocol runs the messages in order; an error skips the rest up to the Sync, so a
 * failing statement is never committed). The statement keeps its parameters as parameters. pg's
 * Query does the rest: each command completes as one more result, in order.
 */
interface QueryConnection {
  sync(): void;
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
  _getRows(connection: QueryConnection, rows?: number): void;
  queryMode?: string;
  name?: string;
};

class PipelinedQuery extends BaseQuery {
  private readonly prefix: readonly string[];
  private readonly suffix: readonly string[];
  constructor(prefix: readonly string[], suffix: readonly string[], config: pg.QueryConfig & { callback: (error: Error | null, result: unknown) => void }) {
    super(config);
    this.prefix = prefix;
    this.suffix = suffix;
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
    for (const text of this.prefix) runUnnamed(connection, text);
    super.prepare(connection);
  }

  /** pg's last step of prepare(): Execute, then Sync; the suffix goes between them. */
  override _getRows(connection: QueryConnection, rows?: number): void {
    if (rows || this.suffix.length === 0) {
      super._getRows(connection, rows);
      return;
    }
    connection.execute({ portal: '' });
    for (const text of this.suffix) runUnnamed(connection, text);
    connection.sync();
  }
}

function runUnnamed(connection: QueryConnection, text: string): void {
  connection.parse({ text, name: '', types: [] });
  connection.bind({ portal: '', statement: '', values: [] });
  connection.execute({ portal: '' });
}

/** Runs `config` on `client` between `prefix` and `suffix` in one round trip; resolves with the statement's own result. */
export function queryBetween(client: pg.PoolClient, prefix: readonly string[], config: { text: string; values: unknown[]; name?: string }, suffix: readonly string[] = []): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    const query = new PipelinedQuery(prefix, suffix, {
      ...config,
      callback: (error, result) => {
        if (error) reject(error);
        else resolve((Array.isArray(result) ? result[prefix.length] : result) as pg.QueryResult);
      },
    });
    client.query(query as unknown as pg.Submittable);
  });
}
