import { loadConfig } from '../config.ts';
import { connectDatabase } from '../core/db/connect.ts';
import { createMigrator, migrateDown, migrateToLatest } from '../core/db/migrate.ts';
import { exitOnScriptFailure } from '../startup-failure.ts';

/** `npm run migrate [-- up|down|status]` on DATABASE_URL, or the embedded database in DATA_DIR. */
const command = process.argv[2] ?? 'up';
if (!['up', 'down', 'status'].includes(command)) {
  console.error(`unknown command "${command}": use up, down or status`);
  process.exit(2);
}
const config = exitOnScriptFailure(loadConfig);
const { db, kind, close } = await connectDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
  if (command === 'up') console.log((await migrateToLatest(db)).join('\n') || 'nothing to apply');
  else if (command === 'down') console.log((await migrateDown(db)).join('\n') || 'nothing to roll back');
  else if (command === 'status') {
    for (const m of await createMigrator(db).getMigrations()) console.log(`${m.executedAt ? 'applied' : 'pending'}  ${m.name}`);
  }
  console.log(`(${kind})`);
} finally {
  await close();
}
