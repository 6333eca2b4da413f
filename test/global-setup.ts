import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../core/db/connect.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { seedDemo } from '../core/seed/demo.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
  }
}

/**
 * On PGlite, starting an instance and migrating it costs seconds; loading a data directory
 * costs about one. So the run migrates and seeds one PGlite once and every test file starts from
 * a copy of it. On PostgreSQL (TEST_DATABASE_URL) nothing is needed here.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('pgliteSnapshot', '');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'otklik-pglite-'));
  const handle = await connectDatabase({ dataDir: 'memory://' });
  await migrateToLatest(handle.db);
  await seedDemo(handle.db);
  const pglite = handle.pglite!;
  const dump = await pglite.dumpDataDir('none');
  const file = path.join(dir, 'snapshot.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  project.provide('pgliteSnapshot', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
