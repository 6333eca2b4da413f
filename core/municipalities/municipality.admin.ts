import { addWorkingHours, type WorkCalendarConfig } from '../calendar/working-time.ts';
import { inTransaction } from '../db/transaction.ts';
import { isCalendarDate } from '../calendar/calendar-date.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import type { OverlapChecker } from '../geo/overlap-check.ts';
import { getMunicipality, setBoundary, type Municipality } from './municipality.repository.ts';

/** HH:MM of a day, 24:00 (the end of the day) included, 24:30 not. */
export const TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** Checks a work calendar before it is stored: a broken one would stall every deadline. */
export function workCalendarProblem(config: WorkCalendarConfig, timeZone: string): string | null {
  if (config.workDays?.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return 'workDays are ISO weekdays 1..7';
  for (const time of [config.start, config.end, ...Object.values(config.shortenedDays ?? {})]) {
    if (time !== undefined && !TIME.test(time)) return 'times are HH:MM';
  }
  for (const date of [...(config.holidays ?? []), ...(config.extraWorkDays ?? []), ...Object.keys(config.shortenedDays ?? {})]) {
    if (!isCalendarDate(date)) return 'dates are YYYY-MM-DD';
  }
  if (config.workDays && new Set(config.workDays).size !== config.workDays.length) return 'workDays lists a weekday twice';
  // Transfer days alone pass the check below until the last of them: then every deadline falls on a
  // national working Saturday months away, or on none at all.
  if (config.workDays?.length === 0) return 'workDays must name at least one weekday';
  const start = config.start ?? '09:00';
  const end = config.end ?? '18:00';
  if (start >= end) return 'the working day must end after it starts';
  // A shortened day ending by the start would silently be a day off (working-time.ts), one after the usual end is not shortened.
  const [day, shortEnd] = Object.entries(config.shortenedDays ?? {}).find(([, t]) => t <= start || t > end) ?? [];
  if (day !== undefined) return `the shortened day ${day} must end after the working day starts (${start}) and by its usual end (${end}), not at ${shortEnd}`;
  try {
    addWorkingHours({ timeZone, config }, new Date(), 1);
  } catch {
    return 'the calendar has no working time';
  }
  return null;
}

/**
 * An IANA zone name. JavaScript (Node 22) also takes a UTC offset such as "+07:00" as a zone, but
 * PostgreSQL reads the same text in `AT TIME ZONE` as a POSIX zone, with the opposite sign (UTC-7):
 * the KPIs and the statistical slices computed in SQL would then disagree with everything computed
 * in JavaScript by 14 hours. Offsets are refused; Etc/GMT-7 is the name for a fixed UTC+7.
 */
function validTimeZone(timeZone: string): boolean {
  if (/^[+-]/.test(timeZone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export interface NewMunicipality {
  nameRu: string;
  nameEn: string;
  oktmo: string;
  populationOver14: number;
  timeZone?: string;
  answersNeedApproval?: boolean;
  boundary?: unknown;
}

export function createMunicipality(db: Db, checker: OverlapChecker, input: NewMunicipality): Promise<Municipality> {
  return inTransaction(db, async (trx) => {
    const timeZone = input.timeZone ?? 'Asia/Novokuznetsk';
    if (!validTimeZone(timeZone)) throw new DomainError('VALIDATION', { field: 'timeZone', problem: 'unknown time zone' });
    const taken = await trx.selectFrom('municipality').select('id').where('oktmo', '=', input.oktmo).executeTakeFirst();
    if (taken) throw new DomainError('ALREADY_EXISTS', { entity: 'municipality', oktmo: input.oktmo });
    const row = await trx
      .insertInto('municipality')
      .values({
        name_ru: input.nameRu,
        name_en: input.nameEn,
        oktmo: input.oktmo,
        population_over_14: input.populationOver14,
        time_zone: timeZone,
        boundary: null,
        min_lat: null,
        max_lat: null,
        min_lon: null,
        max_lon: null,
        ...(input.answersNeedApproval !== undefined && { answers_need_approval: input.answersNeedApproval }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (input.boundary !== undefined) await setBoundary(trx, checker, row.id, input.boundary);
    return getMunicipality(trx, row.id);
  });
}

export interface MunicipalitySettings {
  nameRu?: string;
  nameEn?: string;
  populationOver14?: number;
  /** Off: an executor's or moderator's answer reaches the resident without the curator. */
  answersNeedApproval?: boolean;
  workCalendar?: WorkCalendarConfig;
}

export async function updateMunicipality(db: Db, id: number, patch: MunicipalitySettings): Promise<Municipality> {
  const current = await getMunicipality(db, id);
  if (patch.workCalendar) {
    const problem = workCalendarProblem(patch.workCalendar, current.timeZone);
    if (problem) throw new DomainError('VALIDATION', { field: 'workCalendar', problem });
  }
  const values = {
    ...(patch.nameRu !== undefined && { name_ru: patch.nameRu }),
    ...(patch.nameEn !== undefined && { name_en: patch.nameEn }),
    ...(patch.populationOver14 !== undefined && { population_over_14: patch.populationOver14 }),
    ...(patch.answersNeedApproval !== undefined && { answers_need_approval: patch.answersNeedApproval }),
    ...(patch.workCalendar !== undefined && { work_calendar: JSON.stringify(patch.workCalendar) }),
  };
  if (Object.keys(values).length > 0) await db.updateTable('municipality').set(values).where('id', '=', id).execute();
  return getMunicipality(db, id);
}
