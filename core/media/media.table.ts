import type { Generated } from 'kysely';
import type { Channel } from '../db/types.ts';

export type MediaKind = 'image' | 'video';

/** An uploaded or copied file (one row per upload, for its scope); its bytes are stored once by content (sha256). */
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

/** A messenger's own reference to stored bytes once uploaded there (Telegram file_id, VK attachment). */
export interface MediaUploadTable {
  sha256: string;
  channel: Channel;
  file_ref: string;
  created_at: Generated<Date>;
}

export interface MediaTables {
  media: MediaTable;
  media_upload: MediaUploadTable;
}
