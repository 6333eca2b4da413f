import type { Db } from '../core/db/types.ts';
import { startCron } from '../cron/scheduler.ts';
import { createLogger } from '../logger.ts';

const logger = createLogger('silent');

/** A cron instance (every job on) that starts at `at`, catches up on what it missed while down, and stops: an app restart. */
export async function cronInstanceStarts(db: Db, at: Date, instance: string): Promise<void> {
  const handle = await startCron({ db, clock: () => at, logger, enabled: true, instance });
  await handle.catchUp;
  await handle.stop();
}
