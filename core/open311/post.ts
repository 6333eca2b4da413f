import { randomUUID } from 'node:crypto';
import { authenticate } from '../access/api-keys.service.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { isDomainError } from '../errors.ts';
import { isValidPoint } from '../geo/geo.ts';
import { intakeIncident } from '../incidents/incidents.service.ts';
import { findMunicipalityByPoint } from '../municipalities/municipality.repository.ts';

/**
 * POST requests (GeoReport v2) with an integration key: the request becomes an item of the
 * incident triage queue of the key's municipality (source open311), never a public message until a
 * moderator or curator accepts it. Every refusal is a PostRefused with the spec's HTTP status.
 */
export class PostRefused extends Error {
  readonly status: 400 | 403;
  constructor(status: 400 | 403, description: string) {
    super(description);
    this.status = status;
  }
}

export interface PostInput {
  apiKey?: string;
  serviceCode?: string;
  jurisdictionId?: string;
  lat?: string;
  long?: string;
  description?: string;
  mediaUrl?: string;
  firstName?: string;
  lastName?: string;
}

const NUMBER = /^-?\d{1,3}(?:\.\d{1,15})?$/;

export async function postServiceRequest(db: Db, input: PostInput, now: Date): Promise<{ token: string; incidentId: number }> {
  if (!input.apiKey) throw new PostRefused(400, 'api_key is required: keys are issued by the platform operator');
  let principal: Awaited<ReturnType<typeof authenticate>>;
  try {
    principal = await authenticate(db, input.apiKey, now);
  } catch (error) {
    if (isDomainError(error, 'UNAUTHORIZED')) throw new PostRefused(403, 'api_key is not valid');
    throw error;
  }
  if (principal.role !== 'integration' || principal.municipalityId === null) throw new PostRefused(403, 'api_key is not an integration key');
  const municipalityId = principal.municipalityId;
  if (!input.serviceCode) throw new PostRefused(400, 'service_code is required');
  const category = await db.selectFrom('category').select('id').where('code', '=', input.serviceCode).where('active', '=', true).executeTakeFirst();
  if (!category) throw new PostRefused(400, `service_code not found: ${input.serviceCode}`);
  if (input.jurisdictionId !== undefined) {
    const own = await db.selectFrom('municipality').select('oktmo').where('id', '=', municipalityId).executeTakeFirstOrThrow();
    if (own.oktmo !== input.jurisdictionId) throw new PostRefused(400, `jurisdiction_id ${input.jurisdictionId} is not this key's jurisdiction (${own.oktmo})`);
  }
  if (input.lat === undefined || input.long === undefined) throw new PostRefused(400, 'lat and long are required (a request without a location is not accepted)');
  if (!NUMBER.test(input.lat) || !NUMBER.test(input.long)) throw new PostRefused(400, 'lat and long must be decimal degrees (WGS84)');
  const point = { lat: Number(input.lat), lon: Number(input.long) };
  if (!isValidPoint(point)) throw new PostRefused(400, 'lat and long are outside the valid range');
  const found = await findMunicipalityByPoint(db, point).catch(() => null);
  if (found?.id !== municipalityId) throw new PostRefused(400, "lat and long are outside this key's jurisdiction");
  if (!input.description?.trim()) throw new PostRefused(400, 'description is required');
  const name = [input.firstName, input.lastName].filter((p) => p?.trim()).join(' ');
  return inTransaction(db, async (trx) => {
    let created: Awaited<ReturnType<typeof intakeIncident>>;
    try {
      created = await intakeIncident(
        trx,
        {
          municipalityId,
          source: 'open311',
          sourceUrl: `urn:otklik:open311:${principal.keyId}:${randomUUID()}`,
          text: input.description!,
          postedAt: now,
          point,
          photos: input.mediaUrl ? [input.mediaUrl] : [],
          authorName: name || null,
          suggestedCategoryId: category.id,
        },
        now,
      );
    } catch (error) {
      if (isDomainError(error) && error.kind === 'validation') throw new PostRefused(400, refusal(error.code, error.details));
      throw error;
    }
    await recordAudit(
      trx,
      { staffId: principal.staffId, apiKeyId: principal.keyId, requestId: null },
      { action: 'open311.post', entity: 'incident', entityId: created.incident.id, municipalityId, data: { serviceCode: input.serviceCode } },
      now,
    );
    return { token: `incident-${created.incident.id}`, incidentId: created.incident.id };
  });
}

/** A validation error in the spec's words: its parameter names, and a sentence rather than a code. */
function refusal(code: string, details: Record<string, unknown>): string {
  const field = String(details.field ?? 'request')
    .replace(/^photos\[0\]/, 'media_url')
    .replace(/^text$/, 'description');
  if (details.problem !== undefined) return `${field}: ${String(details.problem)}`;
  if (code === 'TEXT_TOO_LONG') return `${field} is longer than ${String(details.max)} characters`;
  if (code === 'TEXT_EMPTY') return `${field} is required`;
  return `${field} is not valid`;
}
