import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { cpuSince, machineCpuMs, postgresCpuMs } from './proc.ts';

/**
 * What a round trip, a COMMIT and a statement cost this machine's PostgreSQL, apart from any app:
 * the bound on what batching inbound turns could save (bench:inbound's update keeps three round
 * trips and one COMMIT). pgbench (prepared statements, pipeline mode) runs three scripts against a
 * scratch table on the DATABASE_URL server, interleaved, BENCH_ROUNDS times (default 2) for
 * BENCH_SECONDS each (default 10) at BENCH_C clients (default 16):
 *   trip:   one round trip, SELECT 1 (no transaction id, no commit record)      = R
 *   one:    one round trip, BEGIN, one dedupe-shaped INSERT, COMMIT             = R + C + S
 *   eight:  one round trip, BEGIN, eight such INSERTs, COMMIT                   = R + C + 8S
 * so S = (eight − one) / 7 and C = one − R − S. CPU is the whole machine's (pgbench included) and
 * PostgreSQL's processes', from /proc, per script run.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to a PostgreSQL server: the benchmark creates (and drops) a scratch database on it');
const pgbench = spawnSync('pgbench', ['--version'], { encoding: 'utf8' });
if (pgbench.status !== 0) throw new Error('pgbench is not on PATH (Debian: postgresql-client or postgresql-contrib)');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const C = Number(process.env.BENCH_C ?? 16);

const server = new URL(url);
const scratch = `otklik_bench_tx_${process.pid}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`CREATE DATABASE ${scratch}`);
const dir = mkdtempSync(path.join(tmpdir(), 'otklik-bench-tx-'));

function insert(tag: string): string {
  return `INSERT INTO processed (channel, update_id) VALUES ('tg', :id || '-${tag}-' || :client_id) ON CONFLICT DO NOTHING;`;
}
function pipeline(...statements: string[]): string {
  return ['\\set id random(1, 1000000000)', '\\startpipeline', ...statements, '\\endpipeline', ''].join('\n');
}
const scripts = {
  trip: pipeline('SELECT 1;'),
  one: pipeline('BEGIN;', insert('a'), 'COMMIT;'),
  eight: pipeline('BEGIN;', ...'abcdefgh'.split('').map(insert), 'COMMIT;'),
};
type Script = keyof typeof scripts;

interface Cost {
  machine: number;
  postgres: number;
}

function run(script: Script): Cost {
  const file = path.join(dir, `${script}.sql`);
  writeFileSync(file, scripts[script]);
  const machineBefore = machineCpuMs();
  const postgresBefore = postgresCpuMs();
  const args = [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(C),
    '-j',
    '1',
    '-T',
    String(SECONDS),
    '-f',
    file,
    '-h',
    server.hostname,
    '-p',
    server.port || '5432',
    '-U',
    decodeURIComponent(server.username || 'postgres'),
    scratch,
  ];
  const result = spawnSync('pgbench', args, { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(server.password) } });
  const postgres = cpuSince(postgresBefore, postgresCpuMs());
  const machine = machineCpuMs() - machineBefore;
  const runs = Number(/number of transactions actually processed: (\d+)/.exec(result.stdout)?.[1]);
  if (result.status !== 0 || !runs) throw new Error(`pgbench ${script} failed: ${result.stderr || result.stdout}`);
  return { machine: machine / runs, postgres: postgres / runs };
}

try {
  const setup = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: `/${scratch}` }).toString() });
  await setup.connect();
  await setup.query('CREATE TABLE processed (channel text NOT NULL, update_id text NOT NULL, processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (channel, update_id))');
  await setup.end();

  const seen: Record<Script, Cost[]> = { trip: [], one: [], eight: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const script of Object.keys(scripts) as Script[]) seen[script].push(run(script));
  }
  const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
  const of = (script: Script, part: keyof Cost) => median(seen[script].map((cost) => cost[part]));
  const ms = (value: number) => value.toFixed(3);
  for (const part of ['machine', 'postgres'] as const) {
    const [trip, one, eight] = [of('trip', part), of('one', part), of('eight', part)];
    const statement = (eight - one) / 7;
    const commit = one - trip - statement;
    console.log(`${part} CPU per script run: trip ${ms(trip)} ms, one ${ms(one)} ms, eight ${ms(eight)} ms → round trip ${ms(trip)}, commit ${ms(commit)}, statement ${ms(statement)} ms`);
  }
  const trip = of('trip', 'machine');
  const statement = (of('eight', 'machine') - of('one', 'machine')) / 7;
  const commit = of('one', 'machine') - trip - statement;
  console.log(`transaction cost: round trip ${ms(trip)} ms, commit ${ms(commit)} ms, statement ${ms(statement)} ms of machine CPU`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
  await admin.end();
}
