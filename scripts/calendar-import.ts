import { loadConfig } from '../config.ts';
import { importProductionYear, readProductionYearFile } from '../core/calendar/production-calendar.import.ts';
import { connectDatabase } from '../core/db/connect.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { exitOnScriptFailure } from '../startup-failure.ts';

/**
 * `npm run calendar:import -- <file> [source]`: imports a year of the official production calendar
 * (xmlcalendar.ru XML or JSON, see core/calendar/production-calendar.import.ts), replacing the
 * shipped or an earlier imported version of that year. Running instances apply it on restart. A file
 * that is not a calendar is refused in one line naming it and the problem (exit 1), nothing stored.
 */
const [file, source] = process.argv.slice(2);
if (!file) {
  console.error('usage: npm run calendar:import -- <calendar.xml|calendar.json> ["source, e.g. the decree"]');
  process.exit(2);
}
const read = readProductionYearFile(file, source);
if ('refused' in read) {
  console.error(`calendar:import: ${file} refused: ${read.refused}`);
  process.exit(1);
}
const { year } = read;
const config = exitOnScriptFailure(loadConfig);
const { db, kind, close } = await connectDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
  await migrateToLatest(db);
  await importProductionYear(db, year, new Date());
  console.log(
    `production calendar ${year.year} imported into ${kind}: ${year.daysOff.length} days off, ${year.shortened.length} shortened, ${year.workingWeekends.length} working weekend days (${year.source})`,
  );
} finally {
  await close();
}
