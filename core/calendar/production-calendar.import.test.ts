import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../errors.ts';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../../test/database.ts';
import { loadProductionCalendars, parseProductionYear } from './production-calendar.import.ts';
import { resetProductionYears } from './production-calendar.ts';
import { isWorkingTime } from './working-time.ts';

/** Issue 18 item 21: `npm run calendar:import` for years after the shipped ones. */
const execFileAsync = promisify(execFile);
const nk = (local: string) => new Date(`${local}:00+07:00`);
const plain = { timeZone: 'Asia/Novokuznetsk', config: {} };

// The xmlcalendar.ru form: t=1 day off, t=2 shortened, t=3 working day; a holiday on a weekend is listed too.
const XML_2028 = `<?xml version="1.0" encoding="UTF-8"?>
<calendar year="2028" lang="ru" date="2027.09.30" country="ru">
  <holidays><holiday id="1" title="Новогодние каникулы"/></holidays>
  <days>
    <day d="01.01" t="1" h="1"/><day d="01.02" t="1" h="1"/><day d="01.03" t="1" h="1"/><day d="01.04" t="1" h="1"/>
    <day d="01.05" t="1" h="1"/><day d="01.06" t="1" h="1"/><day d="01.07" t="1" h="1"/>
    <day d="03.07" t="2"/><day d="03.08" t="1" h="5"/>
    <day d="02.26" t="3" f="03.10"/><day d="03.10" t="1"/>
  </days>
</calendar>`;

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
  dir = mkdtempSync(path.join(tmpdir(), 'otklik-calendar-'));
});
afterEach(() => resetProductionYears());
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('production calendar import', () => {
  it('parses the xmlcalendar form: weekday days off, shortened days, working weekend days', () => {
    const year = parseProductionYear(XML_2028, 'decree 2028');
    expect(year).toEqual({
      year: 2028,
      source: 'decree 2028',
      // 1–2 January 2028 are Saturday and Sunday: no change to the working week.
      daysOff: ['2028-01-03', '2028-01-04', '2028-01-05', '2028-01-06', '2028-01-07', '2028-03-08', '2028-03-10'],
      shortened: ['2028-03-07'],
      workingWeekends: ['2028-02-26'],
    });
  });

  it('refuses what is not a calendar', () => {
    const refused = (text: string) => {
      try {
        parseProductionYear(text);
        return null;
      } catch (error) {
        return isDomainError(error, 'VALIDATION') ? error.details : error;
      }
    };
    expect(refused('<html/>')).toMatchObject({ field: 'calendar' });
    expect(refused(JSON.stringify({ year: 2028, daysOff: ['2029-01-09'] }))).toMatchObject({ problem: expect.stringContaining('not a day of 2028') });
  });

  it('npm run calendar:import refuses a bad file in one line naming the file and the problem, exit 1, no stack trace', async () => {
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const cases: [string, string][] = [
      [path.join(dir, 'missing.xml'), 'no such file'],
      [dir, 'is a directory, not a file'],
      [write('broken.json', '{"year": 2028, "daysOff": ['), 'not valid JSON'],
      [write('broken.xml', '<calendar year="2028"><days><day d="01.03" t="1"></days>'), 'not well-formed XML'],
      [write('page.html', '<html><body>Производственный календарь</body></html>'), 'not a production calendar'],
      [write('empty.xml', ''), 'not a production calendar'],
      [write('wrong-year.json', JSON.stringify({ year: 2028, daysOff: ['2029-01-09'] })), 'date 2029-01-09 is not a day of 2028'],
      [write('array.json', '[]'), 'year must be between 2000 and 2100'],
    ];
    for (const [file, problem] of cases) {
      const run = await execFileAsync(process.execPath, ['scripts/calendar-import.ts', file], { env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } }).then(
        () => null,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(run, file).not.toBeNull();
      expect(run!.code, file).toBe(1);
      expect(run!.stdout, file).toBe('');
      const lines = run!.stderr.trim().split('\n');
      expect(lines, file).toHaveLength(1);
      expect(lines[0], file).toContain(`calendar:import: ${file} refused: ${problem}`);
      expect(run!.stderr, file).not.toMatch(/\n\s+at /);
    }
  });

  it.runIf(isRealPostgres())('npm run calendar:import stores the year; it applies after a (re)start', async () => {
    const file = path.join(dir, '2028.xml');
    writeFileSync(file, XML_2028);
    expect(isWorkingTime(plain, nk('2028-03-10T12:00'))).toBe(true);
    const { stdout } = await execFileAsync(process.execPath, ['scripts/calendar-import.ts', file, 'Постановление о переносе выходных дней в 2028 году'], {
      env: { ...process.env, DATABASE_URL: t.url, DATA_DIR: dir },
    });
    expect(stdout).toContain('production calendar 2028 imported');
    const rows = await t.db.selectFrom('production_calendar').select(['year', 'source']).execute();
    expect(rows).toEqual([{ year: 2028, source: 'Постановление о переносе выходных дней в 2028 году' }]);
    const loaded = await loadProductionCalendars(t.db);
    expect(loaded.map((y) => y.year)).toEqual([2028]);
    expect(isWorkingTime(plain, nk('2028-03-10T12:00'))).toBe(false);
    expect(isWorkingTime(plain, nk('2028-02-26T12:00'))).toBe(true);
    expect(isWorkingTime(plain, nk('2028-03-07T17:30'))).toBe(false);
    // Importing the same year again replaces it.
    writeFileSync(file, JSON.stringify({ year: 2028, source: 'corrected', daysOff: ['2028-01-03'], shortened: [], workingWeekends: [] }));
    await execFileAsync(process.execPath, ['scripts/calendar-import.ts', file], { env: { ...process.env, DATABASE_URL: t.url, DATA_DIR: dir } });
    await loadProductionCalendars(t.db);
    expect(isWorkingTime(plain, nk('2028-03-10T12:00'))).toBe(true);
  });
});
