import { loadConfig } from '../config.ts';
import { connectDatabase } from '../core/db/connect.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { seedDemo } from '../core/seed/demo.ts';
import { exitOnScriptFailure } from '../startup-failure.ts';

/** `npm run seed:demo`: migrates, then loads the demo region (Belovo, Kemerovo, Novokuznetsk). */
const config = exitOnScriptFailure(loadConfig);
const { db, kind, close } = await connectDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
  await migrateToLatest(db);
  const region = await seedDemo(db);
  console.log(`demo region loaded into ${kind}:`, region.municipalities);
} finally {
  await close();
}
