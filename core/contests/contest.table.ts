import type { Generated } from 'kysely';
import type { Channel } from '../db/types.ts';

export type ContestState = 'draft' | 'published' | 'entries_open' | 'voting_open' | 'winners_chosen' | 'results_published' | 'withdrawn';
export type DrawingFormat = 'audience_vote' | 'jury' | 'random_draw';
export type EntryKind = 'photo' | 'video' | 'any';
export type EntryMediaKind = 'photo' | 'video';
export type EntryState = 'pending' | 'accepted' | 'rejected';

/** A contest (a kind of poll, seeds): attributes are nullable while a draft, all required to publish. */
export interface ContestTable {
  id: Generated<number>;
  /** null: the whole region. */
  municipality_id: number | null;
  state: Generated<ContestState>;
  title: string | null;
  organiser: string | null;
  terms: string | null;
  topic: string | null;
  prizes: string | null;
  drawing_format: DrawingFormat | null;
  winners_count: number | null;
  entry_kind: EntryKind | null;
  entries_from: Date | null;
  entries_to: Date | null;
  voting_from: Date | null;
  voting_to: Date | null;
  results_on: Date | null;
  max_entries_per_resident: Generated<number>;
  max_size_mb: number | null;
  max_duration_seconds: number | null;
  /** random_draw: hex SHA-256 of the seed, published when entries open. */
  draw_commitment: string | null;
  /** random_draw: the seed (hex), kept secret until the draw, then revealed. */
  draw_seed: string | null;
  drawn_at: Date | null;
  published_at: Date | null;
  entries_opened_at: Date | null;
  voting_opened_at: Date | null;
  winners_chosen_at: Date | null;
  results_published_at: Date | null;
  /** Withdrawn by officials (state `withdrawn`): entries kept, nothing further happens. */
  withdrawn_at: Generated<Date | null>;
  /** Why, as officials gave it (optional): shown to participants. */
  withdrawn_reason: Generated<string | null>;
  created_by_staff_id: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A resident's entry: the media copied into the store, moderated through the API. */
export interface ContestEntryTable {
  id: Generated<number>;
  contest_id: number;
  resident_id: number;
  channel: Channel;
  media_id: number;
  media_kind: EntryMediaKind;
  caption: Generated<string>;
  duration_seconds: number | null;
  state: Generated<EntryState>;
  reject_reason: string | null;
  moderated_by_staff_id: number | null;
  moderated_at: Date | null;
  votes: Generated<number>;
  /** audience_vote: the stored ranking (1 = most votes; ties: the earlier entry first). */
  rank: number | null;
  /** 1..winners_count for winners. */
  winner_place: number | null;
  created_at: Generated<Date>;
}

/** One vote per resident per contest (primary key), whichever messenger it came from. */
export interface ContestVoteTable {
  contest_id: number;
  resident_id: number;
  entry_id: number;
  channel: Channel;
  created_at: Generated<Date>;
}

export interface ContestTables {
  contest: ContestTable;
  contest_entry: ContestEntryTable;
  contest_vote: ContestVoteTable;
}
