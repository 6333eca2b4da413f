import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { storeMedia } from '../../../../core/media/media.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { requireStore } from './store.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, MAX_ID, problems } from '../../schemas/common.ts';
import { MediaSchema, mediaDto } from '../../schemas/media.ts';
import { audited } from '../../write.ts';

const Form = z.object({
  file: z.any().openapi({ type: 'string', format: 'binary', description: 'a JPEG, PNG or WebP image or an MP4 video' }),
  municipalityId: z.string().optional().openapi({ description: "whose file it is; default: the key's municipality (operators: regional)" }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'uploadMedia',
  path: '/media',
  tags: ['media'],
  summary: 'Upload an image or a video for announcements (multipart/form-data, field `file`)',
  description:
    'The type is sniffed from the bytes (a declared type that contradicts them is refused). 413 MEDIA_TOO_LARGE names the limit of the ' +
    "file's kind (MEDIA_MAX_IMAGE_BYTES, MEDIA_MAX_VIDEO_BYTES); 415 MEDIA_UNSUPPORTED_TYPE lists what is accepted. The same bytes are stored once.",
  ...access('media.write'),
  request: { body: { required: true, content: { 'multipart/form-data': { schema: Form } } } },
  responses: { 201: jsonContent(MediaSchema, 'The stored file'), ...problems(400, 404, 413, 415) },
});

export function registerUploadMedia(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const media = requireStore(deps);
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
      throw new DomainError('MEDIA_UNSUPPORTED_TYPE', { detail: 'send multipart/form-data with the file in the field "file"' });
    }
    // Every part: a second one named "file" was dropped without a word (only the last was stored).
    const form = await c.req.parseBody({ all: true });
    const file = form.file;
    if (Array.isArray(file)) throw new DomainError('VALIDATION', { field: 'file', problem: 'one file a request' });
    if (!(file instanceof File)) throw new DomainError('VALIDATION', { field: 'file', problem: 'a file is required in the field "file"' });
    const unknown = Object.keys(form).filter((k) => k !== 'file' && k !== 'municipalityId');
    if (unknown.length > 0) throw new DomainError('VALIDATION', { field: unknown[0], problem: 'unknown field' });
    const requested = typeof form.municipalityId === 'string' && form.municipalityId !== '' ? form.municipalityId : undefined;
    if (requested !== undefined && (!/^[1-9]\d{0,9}$/.test(requested) || Number(requested) > MAX_ID)) {
      throw new DomainError('VALIDATION', { field: 'municipalityId', problem: 'a municipality id' });
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const stored = await audited(c, deps, async ({ trx, scope, principal }) => {
      const municipalityId = requested === undefined ? scope.municipalityId : Number(requested);
      await municipalityInScope(trx, scope, municipalityId);
      const row = await storeMedia(trx, media.store, { bytes, declaredType: file.type, municipalityId, createdByStaffId: principal.staffId, origin: 'upload', limits: media.limits });
      return { result: row, audit: { action: 'media.upload', entity: 'media', entityId: row.id, municipalityId, data: { kind: row.kind, sizeBytes: row.sizeBytes } } };
    });
    return c.json(mediaDto(stored), 201);
  });
}
