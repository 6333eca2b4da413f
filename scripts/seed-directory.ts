import { loadConfig } from '../config.ts';
import { connectDatabase } from '../core/db/connect.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { seedDirectory } from '../core/seed/demo.ts';
import { exitOnScriptFailure } from '../startup-failure.ts';

/**
 * `npm run seed:directory`: migrates, then loads the standard sectors and problem categories of
 * seed 002 only (no municipalities, executors or staff). Idempotent by code: titles and order are
 * brought up to date, categories added through the API are left alone.
 */
const config = exitOnScriptFailure(loadConfig);
const { db, kind, close } = await connectDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
  await migrateToLatest(db);
  await seedDirectory(db);
  const sectors = await db
    .selectFrom('sector')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const categories = await db
    .selectFrom('category')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  console.log(`standard directory loaded into ${kind}: ${sectors.n} sectors, ${categories.n} categories`);
} finally {
  await close();
}
