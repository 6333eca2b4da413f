import type { Generated } from 'kysely';
import type { Channel } from '../db/types.ts';

export type PollKind = 'poll' | 'vote';
export type PollState = 'draft' | 'published' | 'closed' | 'results_published';
export type QuestionKind = 'single' | 'multiple' | 'text';
/** Whether a voter sees the results right after voting or only once they are published. */
export type ResultsVisibility = 'after_vote' | 'after_publication';

/** A poll (опрос) or a vote (голосование: one single-choice question). */
export interface PollTable {
  id: Generated<number>;
  /** null: the whole region (every municipality). */
  municipality_id: number | null;
  kind: PollKind;
  state: Generated<PollState>;
  title: string;
  description: Generated<string>;
  category_id: number | null;
  media_id: number | null;
  results_visibility: Generated<ResultsVisibility>;
  starts_at: Date;
  ends_at: Date;
  published_at: Date | null;
  closed_at: Date | null;
  results_published_at: Date | null;
  /** When the announcement to residents was queued: at publication when the poll is already open, else by the `poll-announcements` job at its start; null: not yet. */
  announced_at: Date | null;
  /** The announcement's broadcast. */
  broadcast_id: number | null;
  created_by_staff_id: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PollQuestionTable {
  id: Generated<number>;
  poll_id: number;
  position: number;
  kind: QuestionKind;
  text: string;
  /** Multiple choice: how many options at most. */
  max_choices: number | null;
}

export interface PollOptionTable {
  id: Generated<number>;
  question_id: number;
  position: number;
  text: string;
}

/** Who voted: one per resident and poll (unique), whatever the messenger. */
export interface PollBallotTable {
  id: Generated<number>;
  poll_id: number;
  resident_id: number;
  channel: Channel;
  municipality_id: number | null;
  created_at: Generated<Date>;
}

/** What was answered, deliberately without the ballot or the resident (aggregates only). */
export interface PollAnswerTable {
  id: Generated<number>;
  poll_id: number;
  question_id: number;
  option_id: number | null;
  text: string | null;
}

/** The management decision taken on a closed poll's result (KPI 13). */
export interface PollDecisionTable {
  id: Generated<number>;
  poll_id: number;
  /** Local date 'YYYY-MM-DD'. */
  decided_on: string;
  text: string;
  decided_by: string;
  /** The news item that published it (no foreign key: owned by the news module). */
  news_item_id: number | null;
  created_by_staff_id: number | null;
  created_at: Generated<Date>;
}

/** A campaign collecting residents' questions for the head's direct line («Прямая линия», KPI 12). */
export interface DirectLineTable {
  id: Generated<number>;
  municipality_id: number;
  title: string;
  /** Whose line it is (the head's name). */
  head_name: string;
  collect_from: Date;
  collect_to: Date;
  /** Local date of the live broadcast 'YYYY-MM-DD'. */
  broadcast_on: string;
  /** When collection opened and residents were told (null: not yet). */
  opened_at: Date | null;
  /** Withdrawn by officials: not announced (further), no questions taken; those asked are kept. */
  withdrawn_at: Generated<Date | null>;
  /** Why, as officials gave it (optional): shown to residents who tap its button afterwards. */
  withdrawn_reason: Generated<string | null>;
  created_by_staff_id: number | null;
  created_at: Generated<Date>;
}

export interface DirectLineQuestionTable {
  id: Generated<number>;
  direct_line_id: number;
  resident_id: number | null;
  channel: Channel;
  text: string;
  category_id: number | null;
  selected: Generated<boolean>;
  answer_text: string | null;
  answered_at: Date | null;
  answered_by_staff_id: number | null;
  created_at: Generated<Date>;
}

export interface PollTables {
  poll: PollTable;
  poll_question: PollQuestionTable;
  poll_option: PollOptionTable;
  poll_ballot: PollBallotTable;
  poll_answer: PollAnswerTable;
  poll_decision: PollDecisionTable;
  direct_line: DirectLineTable;
  direct_line_question: DirectLineQuestionTable;
}
