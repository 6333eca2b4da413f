import type { Generated } from 'kysely';
import type { Channel } from '../db/types.ts';

export type MediaKind = 'image' | 'video';

/** A stored file, named by its content (sha256): the same bytes are stored once. */
export interface MediaTable {
  id: Generated<number>;
  sha256: string;
  mime: string;
  kind: MediaKind;
  size_bytes: number;
  /** Whose it is for the scope rules (null: regional, operators only). */
  municipality_id: number | null;
  created_by_staff_id: number | null;
  /** Uploaded through the API, or copied from a resident's Telegram or VK message. */
  origin: Generated<'upload' | Channel>;
  created_at: Generated<Date>;
}

/** A messenger's own reference to a stored file once uploaded there (Telegram file_id, VK attachment). */
export interface MediaUploadTable {
  media_id: number;
  channel: Channel;
  file_ref: string;
  created_at: Generated<Date>;
}

export interface MediaTables {
  media: MediaTable;
  media_upload: MediaUploadTable;
}
