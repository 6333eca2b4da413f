import { connectDatabase } from '../core/db/connect.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { seedDemo } from '../core/seed/demo.ts';
import { Conversation, fixturePath, loadFixture } from '../test/telegram/conversation.ts';
import { BotHarness } from '../test/telegram/harness.ts';

/**
 * `npm run replay -- <fixture>`: plays a scripted conversation (fixtures/telegram/<name>.json or a
 * path) against the app on an in-memory PGlite with the demo region and an in-process fake Bot
 * API, and prints the transcript. Exits 1 when an `$expect` in the fixture fails.
 */
const name = process.argv[2];
if (!name) {
  console.error('usage: npm run replay -- <fixture> (e.g. full-journey.json; see fixtures/README.md)');
  process.exit(2);
}
const fixture = loadFixture(fixturePath(name));
const database = await connectDatabase({ dataDir: 'memory://' });
await migrateToLatest(database.db);
await seedDemo(database.db);
const harness = await BotHarness.start({ database });
if (fixture.description) console.log(`# ${fixture.description}\n`);
const conversation = new Conversation(harness, fixture.user, (line) => console.log(line));
try {
  await conversation.play(fixture.updates);
} catch (error) {
  console.error(`\n✖ ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await harness.close();
  await database.close();
}
