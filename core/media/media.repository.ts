import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Scope } from '../access/scope.ts';
import type { Channel, Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import type { MediaKind, MediaTable } from './media.table.ts';
import { sniffMediaType } from './sniff.ts';
import type { MediaStore } from './store.ts';

export interface Media {
  id: number;
  sha256: string;
  mime: string;
  kind: MediaKind;
  sizeBytes: number;
  municipalityId: number | null;
  createdByStaffId: number | null;
  origin: 'upload' | Channel;
  createdAt: Date;
}

export interface MediaLimits {
  maxImageBytes: number;
  maxVideoBytes: number;
}

function toMedia(row: Selectable<MediaTable>): Media {
  return {
    id: row.id,
    sha256: row.sha256,
    mime: row.mime,
    kind: row.kind,
    sizeBytes: Number(row.size_bytes),
    municipalityId: row.municipality_id,
    createdByStaffId: row.created_by_staff_id,
    origin: row.origin,
    createdAt: row.created_at,
  };
}

export interface StoreMediaInput {
  bytes: Uint8Array;
  /** What the sender claimed (Content-Type); the bytes decide, a contradiction is refused. */
  declaredType?: string;
  municipalityId: number | null;
  createdByStaffId?: number | null;
  origin: 'upload' | Channel;
  limits: MediaLimits;
  /**
   * Called with the kind the bytes turned out to be, before anything is written: throws to refuse
   * it (a contest that takes photos only). The store has no delete, so a check after `put` would
   * leave bytes no media row names.
   */
  admit?: (kind: MediaKind) => void;
}

/**
 * Stores a file: its type sniffed from its first bytes (JPEG, PNG, WebP, MP4), its size checked
 * against the limit of its kind, its bytes put in the store under their sha256 (once, however
 * often uploaded), and a media row for this upload (the scope it belongs to) written.
 */
export async function storeMedia(db: Db, store: MediaStore, input: StoreMediaInput): Promise<Media> {
  const type = sniffMediaType(input.bytes);
  if (!type) throw new DomainError('MEDIA_UNSUPPORTED_TYPE', { declared: input.declaredType ?? null, accepted: ['image/jpeg', 'image/png', 'image/webp', 'video/mp4'] });
  const declared = input.declaredType?.split(';')[0]?.trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream' && declared.split('/')[0] !== type.kind) {
    throw new DomainError('MEDIA_UNSUPPORTED_TYPE', { declared, detected: type.mime });
  }
  const max = type.kind === 'image' ? input.limits.maxImageBytes : input.limits.maxVideoBytes;
  if (input.bytes.byteLength > max) throw new DomainError('MEDIA_TOO_LARGE', { kind: type.kind, max, size: input.bytes.byteLength });
  input.admit?.(type.kind);
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  await store.put(sha256, input.bytes, type.mime);
  return recordMedia(db, { sha256, mime: type.mime, kind: type.kind, sizeBytes: input.bytes.byteLength }, input);
}

/** Bytes already in the store, as storeMedia found them. */
export type StoredBytes = Pick<Media, 'sha256' | 'mime' | 'kind' | 'sizeBytes'>;

/** A media row for bytes already in the store: one per upload, or per scope that uses the same bytes (a copy handed to another municipality). */
export async function recordMedia(db: Db, bytes: StoredBytes, owner: Pick<StoreMediaInput, 'municipalityId' | 'createdByStaffId' | 'origin'>): Promise<Media> {
  const row = await db
    .insertInto('media')
    .values({
      sha256: bytes.sha256,
      mime: bytes.mime,
      kind: bytes.kind,
      size_bytes: bytes.sizeBytes,
      municipality_id: owner.municipalityId,
      created_by_staff_id: owner.createdByStaffId ?? null,
      origin: owner.origin,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMedia(row);
}

export async function getMedia(db: Db, id: number): Promise<Media> {
  const row = await db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('MEDIA_NOT_FOUND', { id });
  return toMedia(row);
}

/** A file an item of `municipalityId` may carry (its municipality's files, or regional ones); otherwise MEDIA_NOT_FOUND. */
export async function usableMedia(db: Db, municipalityId: number | null, id: number): Promise<Media> {
  const media = await getMedia(db, id);
  if (media.municipalityId !== null && media.municipalityId !== municipalityId) throw new DomainError('MEDIA_NOT_FOUND', { id });
  return media;
}

/**
 * The files listed for an item of `municipalityId` (a news item's, an answer's), in order: at most
 * `max`, each once (VALIDATION naming `mediaIds`), each usable there (usableMedia).
 */
export async function usableMediaList(db: Db, municipalityId: number | null, mediaIds: number[], max: number): Promise<Media[]> {
  if (mediaIds.length > max) throw new DomainError('VALIDATION', { field: 'mediaIds', problem: `at most ${max} photos` });
  if (new Set(mediaIds).size !== mediaIds.length) throw new DomainError('VALIDATION', { field: 'mediaIds', problem: 'a file is listed twice' });
  const list: Media[] = [];
  for (const id of mediaIds) list.push(await usableMedia(db, municipalityId, id));
  return list;
}

/** A file the scope may use: its municipality's, or a regional one (operators' only); otherwise MEDIA_NOT_FOUND. */
export async function mediaInScope(db: Db, scope: Scope, id: number): Promise<Media> {
  const media = await getMedia(db, id);
  if (scope.municipalityId !== null && media.municipalityId !== scope.municipalityId) throw new DomainError('MEDIA_NOT_FOUND', { id });
  return media;
}

/** The stored bytes of a media row. */
export async function readMedia(db: Db, store: MediaStore, id: number): Promise<{ media: Media; bytes: Uint8Array }> {
  const media = await getMedia(db, id);
  const bytes = await store.get(media.sha256);
  if (!bytes) throw new DomainError('MEDIA_NOT_FOUND', { id, stored: false });
  return { media, bytes };
}

/** The messenger's own id for these bytes, once uploaded there (Telegram file_id, VK attachment). */
export async function uploadedRef(db: Db, sha256: string, channel: Channel): Promise<string | undefined> {
  const row = await db.selectFrom('media_upload').select('file_ref').where('sha256', '=', sha256).where('channel', '=', channel).executeTakeFirst();
  return row?.file_ref;
}

export async function rememberUpload(db: Db, sha256: string, channel: Channel, fileRef: string): Promise<void> {
  await db
    .insertInto('media_upload')
    .values({ sha256, channel, file_ref: fileRef })
    .onConflict((oc) => oc.columns(['sha256', 'channel']).doNothing())
    .execute();
}
