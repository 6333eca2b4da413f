import type { Generated } from 'kysely';

export type CommentTargetKind = 'news' | 'poll';
/** `pending`: waits for a moderator (pre-moderation); `review`: hidden by three reports until a moderator decides. */
export type ItemCommentState = 'pending' | 'published' | 'hidden' | 'review';

/** A resident's comment on a news item or a poll (the polls module owns `poll`: no foreign key). */
export interface ItemCommentTable {
  id: Generated<number>;
  target_kind: CommentTargetKind;
  news_item_id: number | null;
  poll_id: number | null;
  /** The target's municipality (null: regional), for the scope rules. */
  municipality_id: number | null;
  resident_id: number;
  text: string;
  state: ItemCommentState;
  reports: Generated<number>;
  hidden_reason: string | null;
  hidden_at: Date | null;
  moderated_by_staff_id: number | null;
  reply_text: string | null;
  replied_at: Date | null;
  replied_by_staff_id: number | null;
  created_at: Generated<Date>;
}

export interface ItemCommentReportTable {
  comment_id: number;
  resident_id: number;
  created_at: Generated<Date>;
}

/** A municipality's choice: comments wait for a moderator before others see them. */
export interface ItemCommentPolicyTable {
  municipality_id: number;
  premoderation: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface ItemCommentTables {
  item_comment: ItemCommentTable;
  item_comment_report: ItemCommentReportTable;
  item_comment_policy: ItemCommentPolicyTable;
}
