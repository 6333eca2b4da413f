import { mkdirSync } from 'node:fs';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from './database.ts';
import { checkDirectory, lockDataDir } from './data-dir.ts';
import { preparingPool } from './prepared.ts';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /**
   * The same database for the per-update paths (bots, outbox): on PostgreSQL its statements are
   * prepared on the server once per connection (core/db/prepared.ts); on PGlite it is `db`.
   */
  prepared: Kysely<Database>;
  /** The embedded instance, when kind is 'pglite' (tests snapshot it). */
  pglite?: PGlite;
  /** The PostgreSQL connection string, when kind is 'postgres' (a dedicated connection: the outbox leader's lock). */
  url?: string;
  /** The PostgreSQL pool, when kind is 'postgres' (metrics count its connections). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** A PostgreSQL connection string; unset means the embedded PGlite. */
  url?: string;
  /** Where PGlite keeps its files; `memory://` for a throw-away database. */
  dataDir?: string;
  /** A PGlite data directory dump to start from (tests). */
  loadDataDir?: Blob;
  /** Told in one line when PGlite's DATA_DIR lock left by a process that no longer runs is taken over (default: standard error). */
  onStaleLock?: (message: string) => void;
  /** Receives errors of idle pool clients (a restarted server must not crash the process). */
  onPoolError?: (error: Error) => void;
  poolSize?: number;
  /**
   * How long a query waits for a free pool connection (or for a new connection to open) before it
   * fails; 0 waits for ever. A webhook then answers 5xx instead of hanging past the messenger's timeout.
   */
  poolWaitMs?: number;
  /** Prepare the per-update paths' statements on the server (default true; off behind a pooler in transaction mode). */
  preparedStatements?: boolean;
}

/** Opens PostgreSQL when a URL is given, else PGlite in `dataDir`; the same queries run on both. */
export async function connectDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.url) {
    // min = max: connections are opened on demand and then kept. pg-pool would close each one idle
    // for 10 s, all of a burst's at once; a PostgreSQL backend's exit costs ~20 ms of CPU (and the
    // next burst reconnects and prepares its statements again): nine at once stalled a 2-core
    // machine for 50-300 ms (the benchmark's p99, README "Inbound speed").
    const poolSize = options.poolSize ?? 10;
    const pool = new pg.Pool({ connectionString: options.url, max: poolSize, min: poolSize, connectionTimeoutMillis: options.poolWaitMs ?? 0 });
    pool.on('error', (error) => options.onPoolError?.(error));
    // pg-pool listens for errors of idle clients only: a checked-out client whose session dies (a
    // terminated backend, a restarted server) would emit 'error' with no listener and crash the
    // process. The same error also fails the client's queries, which carry it to their caller.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const prepared = options.preparedStatements === false ? db : new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
    return { db, prepared, kind: 'postgres', url: options.url, pool, close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  // pg_trgm backs the message search (`q`, a trigram index); PostgreSQL ships it as a contrib extension.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const dataDir = options.dataDir ?? './data';
  let release = () => {};
  if (!dataDir.startsWith('memory://')) {
    checkDirectory(dataDir, 'DATA_DIR');
    mkdirSync(dataDir, { recursive: true });
    release = lockDataDir(dataDir, options.onStaleLock);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir, { extensions: { pg_trgm }, ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) });
  } catch (error) {
    release();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    prepared: db,
    kind: 'pglite',
    pglite,
    close: async () => {
      await db.destroy();
      release();
    },
  };
}
