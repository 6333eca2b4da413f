import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Where an open-source item came from. */
export type IncidentSourceKind = 'vk_wall' | 'vk_page' | 'ok' | 'web' | 'open311' | 'other';
export const INCIDENT_SOURCES: readonly IncidentSourceKind[] = ['vk_wall', 'vk_page', 'ok', 'web', 'open311', 'other'];
export type IncidentState = 'new' | 'accepted' | 'dismissed';

/** What identifies the post at its source, for answering under it (VK: owner, post, comment). */
export interface SourceRef {
  ownerId?: number;
  postId?: number;
  commentId?: number;
}

export interface IncidentTable {
  id: Generated<number>;
  /** null: not known yet (the community's own wall serves the whole region). */
  municipality_id: number | null;
  source: IncidentSourceKind;
  /** The post's URL as given (what officials open). */
  source_url: string;
  /** Its canonical spelling (core/incidents/url.ts), unique: the same post under another spelling is a repeat. */
  canonical_url: string;
  source_ref: JSONColumnType<SourceRef, string | undefined, string>;
  incident_source_id: number | null;
  author_name: string | null;
  text: string;
  posted_at: Date;
  lat: number | null;
  lon: number | null;
  photos: JSONColumnType<string[], string | undefined, string>;
  suggested_category_id: number | null;
  state: Generated<IncidentState>;
  dismiss_reason: string | null;
  message_id: number | null;
  triaged_by: number | null;
  triaged_at: Date | null;
  created_at: Date;
}

export interface IncidentSourceTable {
  id: Generated<number>;
  municipality_id: number;
  kind: Generated<'vk_page'>;
  /** The VK wall's owner: a community is negative (-123). */
  owner_id: ColumnType<string, number | string, number | string>;
  name: string;
  active: Generated<boolean>;
  last_post_id: ColumnType<string, number | string | undefined, number | string>;
  /** Comment ids share the wall's id space and grow: the newest comment seen. */
  last_comment_id: ColumnType<string, number | string | undefined, number | string>;
  last_polled_at: Date | null;
  created_at: Date;
}

export interface IncidentRuleTable {
  id: Generated<number>;
  municipality_id: number;
  category_id: number;
  stems: string[];
  active: Generated<boolean>;
  created_at: Date;
}

export interface FirstResponseTable {
  message_id: number;
  accepted_at: Date;
  due_at: Date;
  drafted_at: Date | null;
  met: boolean | null;
  working_minutes: number | null;
}

/**
 * A photo of an item on VK's file servers, queued at intake for the filed-photo copier (migration
 * 2026-12-11T0400): VK's URLs expire, and an item may wait in the queue for days before triage.
 */
export interface IncidentPhotoTable {
  id: Generated<number>;
  incident_id: number;
  channel: Generated<'vk'>;
  source_url: string;
  position: number;
  media_id: Generated<number | null>;
  copy_due_at: Date | null;
  copy_attempts: Generated<number>;
  copy_error: Generated<string | null>;
}

export interface IncidentTables {
  incident: IncidentTable;
  incident_photo: IncidentPhotoTable;
  incident_source: IncidentSourceTable;
  incident_rule: IncidentRuleTable;
  first_response: FirstResponseTable;
}
