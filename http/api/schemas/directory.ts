import { z } from '@hono/zod-openapi';
import type { ApiKey } from '../../../core/access/api-keys.service.ts';
import type { Staff } from '../../../core/access/staff.service.ts';
import type { ListedAuditEntry } from '../../../core/audit/audit.service.ts';
import type { Category, Sector } from '../../../core/categories/category.repository.ts';
import type { KpiResponsible } from '../../../core/kpi/kpi-responsible.service.ts';
import { TIME } from '../../../core/municipalities/municipality.admin.ts';
import type { Municipality } from '../../../core/municipalities/municipality.repository.ts';
import type { Executor, RoutingRule } from '../../../core/staff/executor.service.ts';
import { STAFF_ROLES } from '../../../core/staff/staff.table.ts';
import { Timestamp } from './common.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const Time = z.string().regex(TIME, 'HH:MM');
const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

export const WorkCalendarSchema = z
  .strictObject({
    workDays: z.array(z.number().int().min(1).max(7)).max(7).optional().openapi({ description: 'ISO weekdays, 1 = Monday; default Monday to Friday' }),
    start: Time.optional().openapi({ description: 'local time, default 09:00' }),
    end: Time.optional().openapi({ description: 'local time, default 18:00' }),
    holidays: z.array(LocalDate).max(400).optional(),
    shortenedDays: z.record(LocalDate, Time).optional().openapi({ description: 'pre-holiday short days: date → end time' }),
    extraWorkDays: z.array(LocalDate).max(100).optional().openapi({ description: 'weekend dates that are working days (transfers)' }),
    national: z.boolean().optional().openapi({ description: 'false: ignore the official Russian production calendar (applied by default)' }),
  })
  .openapi('WorkCalendar');

export const BoundarySchema = z
  .strictObject({
    type: z.enum(['Polygon', 'MultiPolygon']),
    coordinates: z.array(z.unknown()).openapi({ description: 'GeoJSON coordinates, [lon, lat], rings closed; checked by the core' }),
  })
  .openapi('Boundary', { description: 'A GeoJSON Polygon or MultiPolygon geometry' });

export const MunicipalitySchema = z
  .object({
    id: z.number().int(),
    nameRu: z.string(),
    nameEn: z.string(),
    oktmo: z.string(),
    populationOver14: z.number().int(),
    timeZone: z.string(),
    answersNeedApproval: z.boolean(),
    workCalendar: WorkCalendarSchema,
    hasBoundary: z.boolean(),
  })
  .openapi('Municipality');

export function municipalityDto(m: Municipality): z.infer<typeof MunicipalitySchema> {
  return {
    id: m.id,
    nameRu: m.nameRu,
    nameEn: m.nameEn,
    oktmo: m.oktmo,
    populationOver14: m.populationOver14,
    timeZone: m.timeZone,
    answersNeedApproval: m.answersNeedApproval,
    workCalendar: m.calendar.config,
    hasBoundary: m.boundary !== null,
  };
}

// A union, not BoundarySchema.nullable(): with .openapi() on it the latter would make the Boundary component (the PUT body) nullable too.
export const MunicipalityWithBoundarySchema = MunicipalitySchema.extend({ boundary: z.union([BoundarySchema, z.null()]).openapi({ description: 'null until one is uploaded (PUT …/boundary)' }) }).openapi('MunicipalityWithBoundary');

export const SectorSchema = z
  .object({ id: z.number().int(), code: z.string(), titleRu: z.string(), titleEn: z.string(), position: z.number().int(), active: z.boolean() })
  .openapi('Sector');
export const sectorDto = (s: Sector): z.infer<typeof SectorSchema> => ({ ...s });

export const CategorySchema = z
  .object({ id: z.number().int(), sectorId: z.number().int(), code: z.string(), titleRu: z.string(), titleEn: z.string(), active: z.boolean() })
  .openapi('Category');
export const categoryDto = (c: Category): z.infer<typeof CategorySchema> => ({ ...c });

export const ExecutorSchema = z
  .object({
    id: z.number().int(),
    municipalityId: z.number().int().nullable().openapi({ description: 'null: a regional body serving the whole region' }),
    name: z.string(),
    kind: z.enum(['organisation', 'official']),
    active: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('Executor');
export const executorDto = (e: Executor): z.infer<typeof ExecutorSchema> => ({ ...e, createdAt: e.createdAt.toISOString() });

export const RoutingRuleSchema = z
  .object({ id: z.number().int(), municipalityId: z.number().int(), categoryId: z.number().int(), executorId: z.number().int() })
  .openapi('RoutingRule');
export const routingRuleDto = (r: RoutingRule): z.infer<typeof RoutingRuleSchema> => ({ ...r });

export const StaffRole = z.enum(STAFF_ROLES as ['operator', 'curator', 'moderator', 'executor', 'responsible', 'integration']).openapi('StaffRole');

export const StaffSchema = z
  .object({
    id: z.number().int(),
    fullName: z.string(),
    role: StaffRole,
    municipalityId: z.number().int().nullable(),
    executorId: z.number().int().nullable(),
    language: z.enum(['ru', 'en']),
    active: z.boolean(),
    newMessageAlerts: z.enum(['immediate', 'hourly', 'digest']).openapi({ description: 'moderators: a card per new message at once, at the top of each hour, or only the 09:00 digest' }),
    createdAt: Timestamp,
  })
  .openapi('Staff');
export const staffDto = (s: Staff): z.infer<typeof StaffSchema> => ({ ...s, createdAt: s.createdAt.toISOString() });

export const ApiKeySchema = z
  .object({
    id: z.number().int(),
    staffId: z.number().int(),
    label: z.string(),
    prefix: z.string().openapi({ description: 'the first characters of the key, to tell keys apart' }),
    createdBy: z.number().int().nullable(),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi('ApiKey');
export const apiKeyDto = (k: ApiKey): z.infer<typeof ApiKeySchema> => ({ ...k, createdAt: k.createdAt.toISOString(), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) });

export const KpiResponsibleSchema = z
  .object({ id: z.number().int(), municipalityId: z.number().int(), kpi: z.number().int().min(1).max(16), staffId: z.number().int(), createdAt: Timestamp })
  .openapi('KpiResponsible');
export const kpiResponsibleDto = (r: KpiResponsible): z.infer<typeof KpiResponsibleSchema> => ({ ...r, createdAt: r.createdAt.toISOString() });

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    staffId: z.number().int().nullable(),
    staffName: z.string().nullable().openapi({
      description: "the acting staff member's full name (only it: an operator's too, whom a curator's GET /staff leaves out); null for the platform's own entries",
    }),
    apiKeyId: z.number().int().nullable(),
    requestId: z.string().nullable(),
    action: z.string(),
    entity: z.string(),
    entityId: z.string().nullable(),
    municipalityId: z.number().int().nullable(),
    data: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
  })
  .openapi('AuditEntry');
export const auditEntryDto = (a: ListedAuditEntry): z.infer<typeof AuditEntrySchema> => ({ ...a, createdAt: a.createdAt.toISOString() });

const Days = z.array(LocalDate);

export const CalendarYearSchema = z
  .object({
    year: z.number().int(),
    national: z
      .object({
        source: z.string().openapi({ description: 'the legal act the year follows' }),
        provisional: z.boolean().openapi({ description: 'true: the year\'s decree is not in yet, only the statutory holidays' }),
        origin: z.enum(['shipped', 'imported']),
        daysOff: Days,
        shortened: Days,
        workingWeekends: Days,
      })
      .nullable()
      .openapi({ description: 'the official production calendar; null when this instance has no calendar for the year' }),
    municipalities: z.array(
      z.object({
        municipalityId: z.number().int(),
        timeZone: z.string(),
        followsNational: z.boolean().openapi({ description: 'false: the municipality ignores the production calendar' }),
        workDays: z.array(z.number().int().min(1).max(7)).openapi({ description: 'ISO weekdays of its working week' }),
        daysOff: Days.openapi({ description: 'days of the working week that are off' }),
        workingWeekends: Days.openapi({ description: 'days outside the working week that are working days' }),
        shortened: Days.openapi({ description: 'working days that end earlier than usual' }),
        workingDays: z.number().int(),
      }),
    ),
  })
  .openapi('CalendarYear');
