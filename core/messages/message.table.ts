import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Channel } from '../db/types.ts';

export type MessageStatus = 'new' | 'rejected' | 'in_work' | 'solved' | 'explained';
export type AnswerKind = 'intermediate' | 'final' | 'clarification';
export type Resolution = 'solved' | 'explained';
/** withdrawn: still waiting for approval when its message closed (it can no longer be approved). */
export type AnswerState = 'draft' | 'returned' | 'approved' | 'delivered' | 'withdrawn';
/** Where a message came from: the residents' bots (tg, vk) or an open source. */
export type MessageSource = 'tg' | 'vk' | 'vk_wall' | 'vk_page' | 'ok' | 'web' | 'open311' | 'other';
/** Where its approved answers go: the resident's chat, a comment under the source post, or published by hand. */
export type AnswerTarget = 'chat' | 'source_comment' | 'by_hand';
export type ActorKind = 'resident' | 'staff' | 'system';

export interface MessageTable {
  id: Generated<number>;
  author_id: number | null;
  municipality_id: number;
  category_id: number;
  text: string;
  lat: number | null;
  lon: number | null;
  address: string | null;
  status: Generated<MessageStatus>;
  published: Generated<boolean>;
  executor_id: number | null;
  rejection_reason: string | null;
  duplicate_of: number | null;
  open_source: Generated<boolean>;
  source_url: string | null;
  source: Generated<MessageSource>;
  answer_target: Generated<AnswerTarget>;
  published_reply_url: string | null;
  published_reply_at: Date | null;
  urgent: Generated<boolean>;
  channel: Channel | null;
  created_at: Date;
  accepted_at: Date | null;
  first_intermediate_at: Date | null;
  closed_at: Date | null;
  updated_at: Date;
  version: Generated<number>;
  /** H3 cell at resolution 10 as a decimal bigint (core/stats/h3.ts); null until filled. */
  h3_r10: ColumnType<string | null, string | null | undefined, string | null>;
  /** The author's stars, mirrored from `rating` by a trigger (statistics read it without a join). */
  rating_stars: ColumnType<number | null, number | null | undefined, number | null>;
  /** When the author rated it (rating.created_at, mirrored by the same trigger): a month's figures count stars given by its end. */
  rated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** When the overdue alert (KPI 7) was raised; the alert scan skips marked messages. */
  overdue_alerted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface MessagePhotoTable {
  id: Generated<number>;
  message_id: number;
  channel: Channel;
  /** The messenger's file id (Telegram file_id, VK attachment); null for an open-source photo known only by its URL (`source_url`). */
  file_id: string | null;
  file_unique_id: string | null;
  position: number;
  /** The photo's copy in the media store (bots/media/filing-photos.ts), once made. */
  media_id: Generated<number | null>;
  /** VK: the URL of the attachment's largest size, where the copy is downloaded from. */
  source_url: Generated<string | null>;
  /** When the copier may try next; null when nothing is left to do (copied, given up, or filed before copies). */
  copy_due_at: Generated<Date | null>;
  copy_attempts: Generated<number>;
  copy_error: Generated<string | null>;
  /** The clarification reply that brought the photo, if one did (the rest came with the message). */
  comment_id: ColumnType<number | null, number | null | undefined, number | null>;
}

/** A photo an official sent with an answer in the bot (migration 2026-12-08T0400): copied like message_photo. */
export interface AnswerPhotoTable {
  id: Generated<number>;
  answer_id: number;
  channel: Channel;
  file_id: string;
  file_unique_id: string | null;
  source_url: string | null;
  position: number;
  media_id: Generated<number | null>;
  copy_due_at: Date | null;
  copy_attempts: Generated<number>;
  copy_error: Generated<string | null>;
}

export interface MessageEventTable {
  id: Generated<number>;
  message_id: number;
  kind: string;
  actor_kind: ActorKind;
  actor_id: number | null;
  from_status: MessageStatus | null;
  to_status: MessageStatus | null;
  reason: string | null;
  data: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Date;
}

export interface AnswerTable {
  id: Generated<number>;
  message_id: number;
  kind: AnswerKind;
  resolution: Resolution | null;
  text: string;
  state: Generated<AnswerState>;
  author_staff_id: number | null;
  approved_by: number | null;
  approved_at: Date | null;
  return_remark: string | null;
  delivered_at: Date | null;
  /** Photos attached by the official: media store ids (core/media), up to 10 images. */
  media_ids: JSONColumnType<number[], string | undefined, string>;
  /** Bumped by every change to the answer or its photos (answer-photos.ts bumpAnswerVersion); a revision may name it (If-Match). */
  version: Generated<number>;
  created_at: Date;
  updated_at: Date;
}

export interface CommentTable {
  id: Generated<number>;
  message_id: number;
  author_kind: 'resident' | 'staff';
  resident_id: number | null;
  staff_id: number | null;
  /** May be empty only when the comment carries photos or a place (a clarification reply, core/messages/clarification.service.ts). */
  text: string;
  reply_to_id: number | null;
  created_at: Date;
  /** How many photos the comment added to its message (message_photo.comment_id). */
  photos: Generated<number>;
  /** The place a clarification reply gave (the message's own geotag is left as filed). */
  lat: ColumnType<number | null, number | null | undefined, number | null>;
  lon: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface RatingTable {
  message_id: number;
  resident_id: number;
  stars: number;
  complaint: string | null;
  flagged: Generated<boolean>;
  created_at: Date;
}

export interface SupportTable {
  message_id: number;
  resident_id: number;
  created_at: Date;
}

export interface MessageTables {
  message: MessageTable;
  message_photo: MessagePhotoTable;
  message_event: MessageEventTable;
  answer: AnswerTable;
  answer_photo: AnswerPhotoTable;
  comment: CommentTable;
  rating: RatingTable;
  support: SupportTable;
}
