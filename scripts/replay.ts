import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectDatabase } from '../core/db/connect.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { seedDemo } from '../core/seed/demo.ts';
import { Conversation, fixturePath, type Fixture } from '../test/telegram/conversation.ts';
import { BotHarness } from '../test/bots/harness.ts';
import { isVkFixture, VkConversation, vkFixturePath, type VkFixture } from '../test/vk/conversation.ts';

/**
 * `npm run replay -- <fixture>`: plays a scripted conversation against the app on an in-memory
 * PGlite with the demo region and in-process fakes of the Bot API and the VK API, and prints the
 * transcript. A fixture is a file in fixtures/telegram/ or fixtures/vk/ (`vk/registration.json`
 * picks the VK one when both have the name) or a path; VK fixtures are recognised by their folder
 * or by events with a Callback API `type`. Exits 1 when an `$expect` in the fixture fails. Files the
 * app writes (media copied from the fakes) go to a temporary directory removed at the end, never to
 * ./data; `--keep-files <dir>` names a directory to keep them in instead (an option, not a variable:
 * the app reads the environment only through config.ts).
 */
const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'keep-files': { type: 'string' } } });
const name = positionals[0];
if (!name) {
  console.error('usage: npm run replay -- <fixture> [--keep-files <dir>] (e.g. full-journey.json, vk/full-journey.json; see fixtures/README.md)');
  process.exit(2);
}
const candidates = name.startsWith('vk/') ? [vkFixturePath(name.slice(3))] : name.includes('/') ? [name] : [fixturePath(name), vkFixturePath(name)];
const path = candidates.find((p) => existsSync(p));
if (!path) {
  console.error(`no fixture ${name}`);
  process.exit(2);
}
/** A file that is not a fixture is refused in one line naming it (exit 2), before the app starts. */
function readFixture(file: string): Fixture | VkFixture {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return refuse(`not JSON (${(error as Error).message})`);
  }
  const { user, updates } = (parsed ?? {}) as Partial<Fixture>;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return refuse('not a fixture: expected an object with "user" and "updates"');
  if (typeof user !== 'object' || user === null || !('id' in user)) return refuse('no "user" with an "id" (see fixtures/README.md)');
  if (!Array.isArray(updates)) return refuse('no "updates" array (see fixtures/README.md)');
  return parsed as Fixture | VkFixture;

  function refuse(problem: string): never {
    console.error(`replay: ${file} refused: ${problem}`);
    process.exit(2);
  }
}
const fixture = readFixture(path);
const database = await connectDatabase({ dataDir: 'memory://' });
await migrateToLatest(database.db);
await seedDemo(database.db);
const harness = await BotHarness.start({ database, ...(values['keep-files'] && { dataDir: values['keep-files'] }) });
if (fixture.description) console.log(`# ${fixture.description}\n`);
const print = (line: string) => console.log(line);
try {
  if (isVkFixture(path, fixture)) await new VkConversation(harness, (fixture as VkFixture).user, print).play((fixture as VkFixture).updates);
  else await new Conversation(harness, (fixture as Fixture).user, print).play((fixture as Fixture).updates);
} catch (error) {
  console.error(`\n✖ ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await harness.close();
  await database.close();
}
