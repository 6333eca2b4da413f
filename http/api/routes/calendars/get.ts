import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { productionYears, SHIPPED_YEARS } from '../../../../core/calendar/production-calendar.ts';
import { calendarYear } from '../../../../core/calendar/working-time.ts';
import { listMunicipalities } from '../../../../core/municipalities/municipality.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems, urlInteger } from '../../schemas/common.ts';
import { CalendarYearSchema } from '../../schemas/directory.ts';

const Query = z.strictObject({ year: urlInteger(2000, 2100).openapi({ example: 2026 }), municipalityId: Id.optional() });

export const route = createRoute({
  method: 'get',
  operationId: 'getCalendars',
  path: '/calendars',
  tags: ['directories'],
  summary: "The working calendar of a year: the national production calendar and each municipality's working days",
  description:
    'Read-only. `national` is the production calendar this instance applies (shipped with the code, or imported with ' +
    "`npm run calendar:import`; null when neither has the year). Per municipality in the key's scope: the days of its " +
    'working week that are off, the weekend days that are working, the shortened days, with its own changes applied ' +
    "(the same rules as the deadlines). Municipalities' own changes are edited with PATCH /municipalities/{id}.",
  ...access('directories.read'),
  request: { query: Query },
  responses: { 200: jsonContent(CalendarYearSchema, 'The year'), ...problems(400, 404) },
});

export function registerGetCalendar(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { year, municipalityId } = c.req.valid('query');
    const only = listMunicipality(scopeOf(c.get('principal')), municipalityId);
    const national = productionYears().find((y) => y.year === year);
    const towns = (await listMunicipalities(deps.db)).filter((m) => only === null || m.id === only);
    // An operator's key sees every municipality: one that does not exist is a 404 too, not an empty year.
    if (municipalityId !== undefined && towns.length === 0) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: municipalityId });
    return c.json(
      {
        year,
        national: national
          ? {
              source: national.source,
              provisional: national.provisional === true,
              origin: SHIPPED_YEARS.includes(national) ? ('shipped' as const) : ('imported' as const),
              daysOff: national.daysOff,
              shortened: national.shortened,
              workingWeekends: national.workingWeekends,
            }
          : null,
        municipalities: towns.map((m) => ({
          municipalityId: m.id,
          timeZone: m.timeZone,
          followsNational: m.calendar.config.national !== false,
          workDays: m.calendar.config.workDays ?? [1, 2, 3, 4, 5],
          ...calendarYear(m.calendar, year),
        })),
      },
      200,
    );
  });
}
