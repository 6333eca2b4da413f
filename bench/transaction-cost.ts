import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../test/database.ts';
import { cpuSince, machineCpuMs, postgresCpuMs } from './proc.ts';

/**
 * What a round trip, a COMMIT and a statement cost this machine's PostgreSQL, apart from any app:
 * the bound on what batching inbound turns could save (bench:inbound's update keeps three round
 * trips and one COMMIT). pgbench (prepared statements, pipeline mode) runs three scripts against
 * the app's own dedupe table in a scratch database on the DATABASE_URL server (migrated, dropped
 * after), interleaved, BENCH_ROUNDS times (default 2) for BENCH_SECONDS each (default 10) at
 * BENCH_C clients (default 16):
 *   trip:   one round trip, SELECT 1 (no transaction id, no commit record)      = R
 *   one:    one round trip, BEGIN, the inbound path's dedupe INSERT, COMMIT     = R + C + S
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

process.env.TEST_DATABASE_URL = url;
const database = await createTestDatabase({ seed: false });
const scratch = new URL(database.url!);
const connection = ['-h', scratch.hostname, '-p', scratch.port || '5432', '-U', decodeURIComponent(scratch.username || 'postgres'), scratch.pathname.slice(1)];
const dir = mkdtempSync(path.join(tmpdir(), 'otklik-bench-tx-'));

function insert(tag: string): string {
  return `INSERT INTO processed_update (channel, update_id) VALUES ('tg', :id || '-${tag}-' || :client_id) ON CONFLICT (channel, update_id) DO NOTHING;`;
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
  const args = ['-n', '-M', 'prepared', '-c', String(C), '-j', '1', '-T', String(SECONDS), '-f', file, ...connection];
  const result = spawnSync('pgbench', args, { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(scratch.password) } });
  const postgres = cpuSince(postgresBefore, postgresCpuMs());
  const machine = machineCpuMs() - machineBefore;
  const runs = Number(/number of transactions actually processed: (\d+)/.exec(result.stdout)?.[1]);
  if (result.status !== 0 || !runs) throw new Error(`pgbench ${script} failed: ${result.stderr || result.stdout}`);
  return { machine: machine / runs, postgres: postgres / runs };
}

/** Each part's cost per script run (median over the rounds), split into a round trip, a COMMIT and a statement. */
function split(seen: Record<Script, Cost[]>, part: keyof Cost) {
  const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
  const at = (script: Script) => median(seen[script].map((cost) => cost[part]));
  const [trip, one, eight] = [at('trip'), at('one'), at('eight')];
  const statement = (eight - one) / 7;
  return { trip, one, eight, commit: one - trip - statement, statement };
}

try {
  const seen: Record<Script, Cost[]> = { trip: [], one: [], eight: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const script of Object.keys(scripts) as Script[]) seen[script].push(run(script));
  }
  const ms = (value: number) => value.toFixed(3);
  for (const part of ['machine', 'postgres'] as const) {
    const cost = split(seen, part);
    console.log(
      `${part} CPU per script run: trip ${ms(cost.trip)} ms, one ${ms(cost.one)} ms, eight ${ms(cost.eight)} ms → round trip ${ms(cost.trip)}, commit ${ms(cost.commit)}, statement ${ms(cost.statement)} ms`,
    );
  }
  const machine = split(seen, 'machine');
  console.log(`transaction cost: round trip ${ms(machine.trip)} ms, commit ${ms(machine.commit)} ms, statement ${ms(machine.statement)} ms of machine CPU`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await database.close();
}
