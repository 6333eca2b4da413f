import { PERMISSIONS, type Permission } from '../../core/access/permissions.ts';
import type { Principal } from '../../core/access/principal.ts';
import type { Actor } from '../../core/actor.ts';
import { DomainError } from '../../core/errors.ts';
import { permit } from './middleware/permit.ts';
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { BEARER, problems } from './schemas/common.ts';

/**
 * The access part of a route definition: the bearer scheme, the role check middleware, and the
 * roles listed in the OpenAPI operation (x-roles) so the document says who may call it.
 */
export function access(permission: Permission) {
  return {
    security: BEARER,
    middleware: [permit(permission)],
    'x-roles': [...PERMISSIONS[permission]],
  };
}

export function staffActor(principal: Principal): Actor {
  return { kind: 'staff', staffId: principal.staffId };
}

const IF_MATCH = /^(?:W\/)?"?(\d{1,9})"?$/;

/** The version (a message's, an answer's) an If-Match header names, if any; the core compares it under lock. `*` matches any version (RFC 9110). */
export function expectedVersion(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = IF_MATCH.exec(header.trim());
  if (!match) throw new DomainError('VALIDATION', { field: 'If-Match', problem: 'expected a version such as "3"' });
  return Number(match[1]);
}

export function etag(version: number): Record<string, string> {
  return { etag: `"${version}"` };
}


/**
 * Answers the middleware gives before any route runs, written into every operation they apply to:
 * 400 for a request its validators refuse (an unknown query parameter, a malformed id), 413 for
 * any body over the limit (every write), 415 for a JSON route sent something else. The routes list
 * their own problems; these would otherwise be missing from the document.
 */
export function documentTransportProblems(api: Pick<OpenAPIHono, 'openAPIRegistry'>): void {
  const transport = problems(400, 409, 413, 415, 422);
  for (const definition of api.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    const { route } = definition;
    const validates = route.request !== undefined && Object.keys(route.request).length > 0;
    if (validates) route.responses = { 400: transport[400], ...route.responses };
    if (route.method === 'get') continue;
    const takesJson = route.request?.body?.content?.['application/json'] !== undefined;
    route.responses = { 413: transport[413], ...(takesJson && { 415: transport[415] }), ...route.responses };
    // Idempotency-Key (middleware/idempotency.ts): every POST, the multipart upload included.
    if (route.method !== 'post') continue;
    const headers = route.request?.headers;
    const own = headers instanceof z.ZodObject ? headers.shape : {};
    route.request = { ...route.request, headers: z.object({ ...own, 'idempotency-key': IDEMPOTENCY_KEY_PARAMETER }) };
    route.responses = { 409: transport[409], 422: transport[422], ...route.responses };
  }
}

const IDEMPOTENCY_KEY_PARAMETER = z
  .string()
  .max(255)
  .optional()
  .openapi({
    description:
      'optional, 1 to 255 visible ASCII characters: the same request sent again with the same key (and API key) within a day gets the first answer back ' +
      '(header Idempotent-Replayed: true) and changes nothing; while the first still runs 409 IDEMPOTENCY_KEY_IN_USE; the key with another path or body 422 IDEMPOTENCY_KEY_REUSED ' +
      '(a multipart upload is compared field by field, the file by its name, type and bytes, whatever its boundary)',
    example: '5f1c0a2e-mailing-2026-12-05',
  });
