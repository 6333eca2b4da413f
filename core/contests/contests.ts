import { TZDate } from '@date-fns/tz';
import { addMonths } from 'date-fns/addMonths';
import { sql } from 'kysely';
import { announce, stopAnnouncementsOf } from '../broadcasts/broadcasts.ts';
import { actionId } from '../dialogs/action-id.ts';
import type { Db } from '../db/types.ts';
import type { Channel } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { withdrawReason } from '../text/withdraw-reason.ts';
import { notifyResident } from '../notifications/notify.ts';
import { subscribedSql } from '../subscriptions/subscriptions.ts';
import type { ContestState, ContestTable, DrawingFormat, EntryKind, EntryMediaKind, EntryState } from './contest.table.ts';
import { commitmentOf, drawWinners, newSeed } from './draw.ts';

export const MAX_CAPTION = 500;
/** KPI 10: from the start of entries to the results date at most one calendar month (local time). */
export const MAX_CONTEST_MONTHS = 1;
/** Button tags of the contests feature (bots/features/contests), written by core into broadcasts. */
export const CONTEST_OPEN_TAG = 'cto';

export interface Contest {
  id: number;
  municipalityId: number | null;
  state: ContestState;
  title: string | null;
  organiser: string | null;
  terms: string | null;
  topic: string | null;
  prizes: string | null;
  drawingFormat: DrawingFormat | null;
  winnersCount: number | null;
  entryKind: EntryKind | null;
  entriesFrom: Date | null;
  entriesTo: Date | null;
  votingFrom: Date | null;
  votingTo: Date | null;
  resultsOn: Date | null;
  maxEntriesPerResident: number;
  maxSizeMb: number | null;
  maxDurationSeconds: number | null;
  drawCommitment: string | null;
  /** Revealed only after the draw. */
  drawSeed: string | null;
  drawnAt: Date | null;
  publishedAt: Date | null;
  withdrawnAt: Date | null;
  /** Why it was withdrawn, as officials gave it (null: none given). */
  withdrawnReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ContestEntry {
  id: number;
  contestId: number;
  residentId: number;
  channel: Channel;
  mediaId: number;
  mediaKind: EntryMediaKind;
  caption: string;
  durationSeconds: number | null;
  state: EntryState;
  rejectReason: string | null;
  votes: number;
  rank: number | null;
  winnerPlace: number | null;
  createdAt: Date;
  moderatedAt: Date | null;
}

type ContestRow = {
  [K in keyof ContestTable]: ContestTable[K] extends import('kysely').ColumnType<infer S, unknown, unknown> ? S : ContestTable[K];
};

function toContest(row: ContestRow): Contest {
  return {
    id: row.id,
    municipalityId: row.municipality_id,
    state: row.state,
    title: row.title,
    organiser: row.organiser,
    terms: row.terms,
    topic: row.topic,
    prizes: row.prizes,
    drawingFormat: row.drawing_format,
    winnersCount: row.winners_count,
    entryKind: row.entry_kind,
    entriesFrom: row.entries_from,
    entriesTo: row.entries_to,
    votingFrom: row.voting_from,
    votingTo: row.voting_to,
    resultsOn: row.results_on,
    maxEntriesPerResident: row.max_entries_per_resident,
    maxSizeMb: row.max_size_mb,
    maxDurationSeconds: row.max_duration_seconds,
    drawCommitment: row.draw_commitment,
    drawSeed: row.drawn_at ? row.draw_seed : null,
    drawnAt: row.drawn_at,
    publishedAt: row.published_at,
    withdrawnAt: row.withdrawn_at,
    withdrawnReason: row.withdrawn_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const ENTRY_COLUMNS = [
  'id',
  'contest_id',
  'resident_id',
  'channel',
  'media_id',
  'media_kind',
  'caption',
  'duration_seconds',
  'state',
  'reject_reason',
  'votes',
  'rank',
  'winner_place',
  'created_at',
  'moderated_at',
] as const;

function toEntry(row: {
  id: number;
  contest_id: number;
  resident_id: number;
  channel: Channel;
  media_id: number;
  media_kind: EntryMediaKind;
  caption: string;
  duration_seconds: number | null;
  state: EntryState;
  reject_reason: string | null;
  votes: number;
  rank: number | null;
  winner_place: number | null;
  created_at: Date;
  moderated_at: Date | null;
}): ContestEntry {
  return {
    id: row.id,
    contestId: row.contest_id,
    residentId: row.resident_id,
    channel: row.channel,
    mediaId: row.media_id,
    mediaKind: row.media_kind,
    caption: row.caption,
    durationSeconds: row.duration_seconds,
    state: row.state,
    rejectReason: row.reject_reason,
    votes: row.votes,
    rank: row.rank,
    winnerPlace: row.winner_place,
    createdAt: row.created_at,
    moderatedAt: row.moderated_at,
  };
}

/** The editable attributes (all optional while a draft). */
export interface ContestFields {
  title?: string | null;
  organiser?: string | null;
  terms?: string | null;
  topic?: string | null;
  prizes?: string | null;
  drawingFormat?: DrawingFormat | null;
  winnersCount?: number | null;
  entryKind?: EntryKind | null;
  entriesFrom?: Date | null;
  entriesTo?: Date | null;
  votingFrom?: Date | null;
  votingTo?: Date | null;
  resultsOn?: Date | null;
  maxEntriesPerResident?: number;
  maxSizeMb?: number | null;
  maxDurationSeconds?: number | null;
}

function columnsOf(fields: ContestFields) {
  const map: Record<keyof ContestFields, string> = {
    title: 'title',
    organiser: 'organiser',
    terms: 'terms',
    topic: 'topic',
    prizes: 'prizes',
    drawingFormat: 'drawing_format',
    winnersCount: 'winners_count',
    entryKind: 'entry_kind',
    entriesFrom: 'entries_from',
    entriesTo: 'entries_to',
    votingFrom: 'voting_from',
    votingTo: 'voting_to',
    resultsOn: 'results_on',
    maxEntriesPerResident: 'max_entries_per_resident',
    maxSizeMb: 'max_size_mb',
    maxDurationSeconds: 'max_duration_seconds',
  };
  const values: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(map)) {
    const value = fields[key as keyof ContestFields];
    if (value !== undefined) values[column] = value;
  }
  return values as Partial<ContestTable>;
}

export async function createContest(db: Db, input: { municipalityId: number | null; createdByStaffId: number | null } & ContestFields, now: Date): Promise<Contest> {
  const row = await db
    .insertInto('contest')
    .values({ ...columnsOf(input), municipality_id: input.municipalityId, created_by_staff_id: input.createdByStaffId, created_at: now, updated_at: now } as never)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toContest(row as ContestRow);
}

export async function getContest(db: Db, id: number): Promise<Contest> {
  const row = await db.selectFrom('contest').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('CONTEST_NOT_FOUND', { id });
  return toContest(row as ContestRow);
}

async function lockContest(db: Db, id: number): Promise<ContestRow> {
  const row = await db.selectFrom('contest').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new DomainError('CONTEST_NOT_FOUND', { id });
  return row as ContestRow;
}

export async function listContests(db: Db, filter: { municipalityIds?: number[]; includeRegion?: boolean; states?: ContestState[]; beforeId?: number; limit: number }): Promise<Contest[]> {
  let query = db.selectFrom('contest').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.municipalityIds) {
    const ids = filter.municipalityIds;
    query = query.where((eb) => (filter.includeRegion ? eb.or([eb('municipality_id', 'in', ids), eb('municipality_id', 'is', null)]) : eb('municipality_id', 'in', ids)));
  }
  if (filter.states?.length) query = query.where('state', 'in', filter.states);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return (await query.execute()).map((r) => toContest(r as ContestRow));
}

/** Only a draft is edited (a published contest's terms are a promise to residents). */
export async function updateContest(db: Db, id: number, fields: ContestFields, now: Date): Promise<Contest> {
  const row = await lockContest(db, id);
  if (row.state !== 'draft') throw new DomainError('CONTEST_WRONG_STATE', { id, state: row.state, expected: 'draft' });
  const values = columnsOf(fields);
  if (Object.keys(values).length === 0) return toContest(row);
  const updated = await db
    .updateTable('contest')
    .set({ ...values, updated_at: now } as never)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toContest(updated as ContestRow);
}

/** The attributes a contest must have before it is published, in API field names. */
export const REQUIRED_ATTRIBUTES = [
  'title',
  'organiser',
  'terms',
  'topic',
  'prizes',
  'entriesFrom',
  'entriesTo',
  'votingFrom',
  'votingTo',
  'resultsOn',
  'drawingFormat',
  'winnersCount',
  'entryKind',
] as const satisfies readonly (keyof Contest)[];

export function missingAttributes(contest: Contest): string[] {
  return REQUIRED_ATTRIBUTES.filter((name) => {
    const value = contest[name];
    return value === null || (typeof value === 'string' && value.trim() === '');
  });
}

/** Dates in order, and the one-month rule counted in the municipality's time zone. */
export function checkDates(contest: Contest, timeZone: string): void {
  const { entriesFrom, entriesTo, votingFrom, votingTo, resultsOn } = contest as Required<{ [K in 'entriesFrom' | 'entriesTo' | 'votingFrom' | 'votingTo' | 'resultsOn']: Date }>;
  const order: [string, Date, string, Date][] = [
    ['entriesFrom', entriesFrom, 'entriesTo', entriesTo],
    ['votingFrom', votingFrom, 'votingTo', votingTo],
    ['entriesFrom', entriesFrom, 'votingFrom', votingFrom],
    ['entriesTo', entriesTo, 'votingTo', votingTo],
    // Voting opening ends the entries (the bot takes entries only before it): voting that began
    // while the texts still say "entries until …" would close them early without a word.
    ['entriesTo', entriesTo, 'votingFrom', votingFrom],
    ['votingTo', votingTo, 'resultsOn', resultsOn],
  ];
  for (const [a, first, b, second] of order) {
    if (
      first.getTime() > second.getTime() ||
      (a === 'entriesFrom' && b === 'entriesTo' && first.getTime() === second.getTime()) ||
      (a === 'votingFrom' && b === 'votingTo' && first.getTime() === second.getTime())
    )
      throw new DomainError('CONTEST_DATES_INVALID', { rule: `${a} must be before ${b}`, field: b });
  }
  const limit = addMonths(new TZDate(entriesFrom.getTime(), timeZone), MAX_CONTEST_MONTHS);
  if (resultsOn.getTime() > limit.getTime()) {
    throw new DomainError('CONTEST_TOO_LONG', {
      rule: 'from the start of entries to the results date at most 1 month (KPI 10)',
      entriesFrom: entriesFrom.toISOString(),
      resultsOn: resultsOn.toISOString(),
      latestResultsOn: new Date(limit.getTime()).toISOString(),
    });
  }
}

export async function timeZoneOf(db: Db, municipalityId: number | null): Promise<string> {
  if (municipalityId === null) return DEFAULT_TIME_ZONE;
  const row = await db.selectFrom('municipality').select('time_zone').where('id', '=', municipalityId).executeTakeFirst();
  return row?.time_zone ?? DEFAULT_TIME_ZONE;
}

/** Kuzbass (region-wide contests have no municipality of their own). */
export const DEFAULT_TIME_ZONE = 'Asia/Novokuznetsk';

/** A date as residents of the zone read it, dd.mm.yyyy (the same in Russian and English texts). */
const localDay = (date: Date | null, timeZone: string) => (date ? new Intl.DateTimeFormat('ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' }).format(date) : '—');

const announcementParams = (c: Contest, timeZone: string = DEFAULT_TIME_ZONE) => ({
  contestId: c.id,
  title: c.title,
  topic: c.topic,
  organiser: c.organiser,
  prizes: c.prizes,
  entriesFrom: localDay(c.entriesFrom, timeZone),
  entriesTo: localDay(c.entriesTo, timeZone),
  votingFrom: localDay(c.votingFrom, timeZone),
  votingTo: localDay(c.votingTo, timeZone),
  resultsOn: localDay(c.resultsOn, timeZone),
});

const openKeyboard = (contestId: number) => ({ kind: 'inline', rows: [[{ id: actionId(CONTEST_OPEN_TAG, contestId), label: 'contests.open_button' }]] });

/** draft → published: every attribute present (else 422 CONTEST_INCOMPLETE listing them), dates valid, entries not closed yet; announced to subscribers. */
export async function publishContest(db: Db, id: number, now: Date, staffId: number | null): Promise<Contest> {
  const row = await lockContest(db, id);
  if (row.state !== 'draft') throw new DomainError('CONTEST_WRONG_STATE', { id, state: row.state, expected: 'draft' });
  const contest = toContest(row);
  const missing = missingAttributes(contest);
  if (missing.length > 0) throw new DomainError('CONTEST_INCOMPLETE', { missing });
  const timeZone = await timeZoneOf(db, contest.municipalityId);
  checkDates(contest, timeZone);
  // Entries closed already: it would be announced and then run through every step in one cron run.
  if (contest.entriesTo!.getTime() <= now.getTime()) throw new DomainError('VALIDATION', { field: 'entriesTo', problem: 'is already past' });
  await db.updateTable('contest').set({ state: 'published', published_at: now, updated_at: now }).where('id', '=', id).execute();
  await announce(db, {
    audience: { municipalityId: contest.municipalityId, topic: 'contests' },
    message: { key: 'contests.announced', params: announcementParams(contest, timeZone), keyboard: openKeyboard(id) },
    kind: 'broadcast.contest',
    source: `contest:${id}`,
    createdByStaffId: staffId,
  });
  return getContest(db, id);
}

/** Whether a resident lives in the contest's area (a region-wide contest: any registered resident). */
export function inArea(contest: Pick<Contest, 'municipalityId'>, resident: { municipalityId: number | null }): boolean {
  return contest.municipalityId === null ? resident.municipalityId !== null : resident.municipalityId === contest.municipalityId;
}

export interface EntryInput {
  contestId: number;
  residentId: number;
  channel: Channel;
  mediaId: number;
  mediaKind: EntryMediaKind;
  caption: string;
  durationSeconds?: number | null;
  sizeBytes?: number | null;
}

/** Checks an entry could be accepted before its media is copied (kind, limits, the resident's count). */
export async function checkCanEnter(
  db: Db,
  input: Pick<EntryInput, 'contestId' | 'residentId'> & { mediaKind?: EntryMediaKind; durationSeconds?: number | null; sizeBytes?: number | null; caption?: string },
  now: Date,
  lock = false,
): Promise<Contest> {
  const row = lock ? await lockContest(db, input.contestId) : await db.selectFrom('contest').selectAll().where('id', '=', input.contestId).executeTakeFirst();
  if (!row || row.state === 'draft') throw new DomainError('CONTEST_NOT_FOUND', { id: input.contestId });
  if (row.state === 'withdrawn') throw new DomainError('CONTEST_WITHDRAWN', { id: input.contestId, ...(row.withdrawn_reason && { withdrawnReason: row.withdrawn_reason }) });
  const contest = toContest(row as ContestRow);
  if (contest.state !== 'entries_open' || (contest.entriesTo && now.getTime() >= contest.entriesTo.getTime())) throw new DomainError('CONTEST_NOT_OPEN', { id: contest.id });
  const resident = await db.selectFrom('resident').select(['municipality_id']).where('id', '=', input.residentId).executeTakeFirstOrThrow();
  if (!inArea(contest, { municipalityId: resident.municipality_id })) throw new DomainError('NOT_IN_CONTEST_AREA', { id: contest.id });
  if (input.mediaKind && contest.entryKind !== 'any' && contest.entryKind !== input.mediaKind) throw new DomainError('ENTRY_KIND_NOT_ALLOWED', { allowed: contest.entryKind });
  if (input.sizeBytes != null && contest.maxSizeMb !== null && input.sizeBytes > contest.maxSizeMb * 1024 * 1024) throw new DomainError('ENTRY_TOO_LARGE', { max: contest.maxSizeMb });
  if (input.durationSeconds != null && contest.maxDurationSeconds !== null && input.durationSeconds > contest.maxDurationSeconds)
    throw new DomainError('ENTRY_TOO_LONG', { max: contest.maxDurationSeconds });
  if (input.caption !== undefined && input.caption.length > MAX_CAPTION) throw new DomainError('TEXT_TOO_LONG', { max: MAX_CAPTION, length: input.caption.length });
  const { count } = await db
    .selectFrom('contest_entry')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('contest_id', '=', contest.id)
    .where('resident_id', '=', input.residentId)
    .where('state', '!=', 'rejected')
    .executeTakeFirstOrThrow();
  if (Number(count) >= contest.maxEntriesPerResident) throw new DomainError('ENTRY_LIMIT_REACHED', { max: contest.maxEntriesPerResident });
  return contest;
}

/** Stores an entry (pending moderation); the contest row is locked so the per-resident limit holds under concurrency. */
export async function submitEntry(db: Db, input: EntryInput, now: Date): Promise<ContestEntry> {
  await checkCanEnter(db, input, now, true);
  const row = await db
    .insertInto('contest_entry')
    .values({
      contest_id: input.contestId,
      resident_id: input.residentId,
      channel: input.channel,
      media_id: input.mediaId,
      media_kind: input.mediaKind,
      caption: input.caption,
      duration_seconds: input.durationSeconds ?? null,
      created_at: now,
    })
    .returning(ENTRY_COLUMNS)
    .executeTakeFirstOrThrow();
  return toEntry(row);
}

export async function getEntry(db: Db, contestId: number, entryId: number): Promise<ContestEntry> {
  const row = await db.selectFrom('contest_entry').select(ENTRY_COLUMNS).where('id', '=', entryId).where('contest_id', '=', contestId).executeTakeFirst();
  if (!row) throw new DomainError('ENTRY_NOT_FOUND', { id: entryId });
  return toEntry(row);
}

export async function listEntries(db: Db, contestId: number, filter: { states?: EntryState[]; afterId?: number; limit?: number } = {}): Promise<ContestEntry[]> {
  let query = db.selectFrom('contest_entry').select(ENTRY_COLUMNS).where('contest_id', '=', contestId).orderBy('id');
  if (filter.states?.length) query = query.where('state', 'in', filter.states);
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return (await query.execute()).map(toEntry);
}

/** Accept or reject a pending entry; the author is told either way (with the reason when rejected). */
export async function moderateEntry(db: Db, input: { contestId: number; entryId: number; decision: 'accept' | 'reject'; reason?: string; staffId: number }, now: Date): Promise<ContestEntry> {
  const contest = toContest(await lockContest(db, input.contestId));
  const entry = await getEntry(db, input.contestId, input.entryId);
  if (entry.state !== 'pending') throw new DomainError('ENTRY_ALREADY_MODERATED', { id: entry.id, state: entry.state });
  if (input.decision === 'reject' && !input.reason?.trim()) throw new DomainError('REASON_REQUIRED', { field: 'reason' });
  if (contest.state === 'winners_chosen' || contest.state === 'results_published' || contest.state === 'withdrawn')
    throw new DomainError('CONTEST_WRONG_STATE', { id: contest.id, state: contest.state });
  const state: EntryState = input.decision === 'accept' ? 'accepted' : 'rejected';
  const row = await db
    .updateTable('contest_entry')
    .set({ state, reject_reason: input.decision === 'reject' ? input.reason!.trim() : null, moderated_by_staff_id: input.staffId, moderated_at: now })
    .where('id', '=', entry.id)
    .returning(ENTRY_COLUMNS)
    .executeTakeFirstOrThrow();
  const key = state === 'accepted' ? 'contests.entry_accepted' : 'contests.entry_rejected';
  await notifyResident(
    db,
    entry.residentId,
    key,
    { entryId: entry.id, title: contest.title, reason: row.reject_reason },
    {
      kind: `contest.${state}`,
      dedupeKey: `contest.${state}:${entry.id}`,
      keyboard: openKeyboard(contest.id),
    },
  );
  return toEntry(row);
}

/**
 * A resident's vote: one per contest (the primary key decides under concurrency, so the same
 * resident from both messengers is one voter), for an accepted entry that is not their own, only
 * while audience voting is open and only from the contest's area.
 */
export async function castVote(db: Db, input: { contestId: number; entryId: number; residentId: number; channel: Channel }, now: Date): Promise<ContestEntry> {
  const contestRow = await db.selectFrom('contest').selectAll().where('id', '=', input.contestId).executeTakeFirst();
  if (!contestRow || contestRow.state === 'draft') throw new DomainError('CONTEST_NOT_FOUND', { id: input.contestId });
  if (contestRow.state === 'withdrawn') throw new DomainError('CONTEST_WITHDRAWN', { id: input.contestId, ...(contestRow.withdrawn_reason && { withdrawnReason: contestRow.withdrawn_reason }) });
  const contest = toContest(contestRow as ContestRow);
  if (contest.drawingFormat !== 'audience_vote' || contest.state !== 'voting_open' || (contest.votingTo && now.getTime() >= contest.votingTo.getTime()))
    throw new DomainError('VOTING_CLOSED', { id: contest.id });
  const entry = await getEntry(db, input.contestId, input.entryId);
  if (entry.state !== 'accepted') throw new DomainError('ENTRY_NOT_FOUND', { id: entry.id });
  if (entry.residentId === input.residentId) throw new DomainError('SELF_VOTE', { id: entry.id });
  const resident = await db.selectFrom('resident').select('municipality_id').where('id', '=', input.residentId).executeTakeFirstOrThrow();
  if (!inArea(contest, { municipalityId: resident.municipality_id })) throw new DomainError('NOT_IN_CONTEST_AREA', { id: contest.id });
  const inserted = await db
    .insertInto('contest_vote')
    .values({ contest_id: contest.id, resident_id: input.residentId, entry_id: entry.id, channel: input.channel, created_at: now })
    .onConflict((oc) => oc.columns(['contest_id', 'resident_id']).doNothing())
    .returning('entry_id')
    .executeTakeFirst();
  if (!inserted) throw new DomainError('ALREADY_VOTED', { id: contest.id });
  const row = await db
    .updateTable('contest_entry')
    .set((eb) => ({ votes: eb('votes', '+', 1) }))
    .where('id', '=', entry.id)
    .returning(ENTRY_COLUMNS)
    .executeTakeFirstOrThrow();
  return toEntry(row);
}

async function setWinners(db: Db, contestId: number, winnerIds: number[], now: Date): Promise<void> {
  await db.updateTable('contest_entry').set({ winner_place: null }).where('contest_id', '=', contestId).execute();
  for (const [index, id] of winnerIds.entries()) {
    await db
      .updateTable('contest_entry')
      .set({ winner_place: index + 1 })
      .where('id', '=', id)
      .execute();
  }
  await db.updateTable('contest').set({ state: 'winners_chosen', winners_chosen_at: now, updated_at: now }).where('id', '=', contestId).execute();
}

/** audience_vote: every accepted entry ranked by votes (ties: the earlier entry first), the ranking stored, the top N win. */
export async function rankByVotes(db: Db, contest: Contest, now: Date): Promise<number[]> {
  const ranked = await db
    .selectFrom('contest_entry')
    .select(['id', 'votes'])
    .where('contest_id', '=', contest.id)
    .where('state', '=', 'accepted')
    .orderBy('votes', 'desc')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const [index, entry] of ranked.entries()) {
    await db
      .updateTable('contest_entry')
      .set({ rank: index + 1 })
      .where('id', '=', entry.id)
      .execute();
  }
  const winners = ranked.slice(0, contest.winnersCount ?? 1).map((e) => e.id);
  await setWinners(db, contest.id, winners, now);
  return winners;
}

/** jury: officials name the winners (accepted entries of the contest, in place order) once entries are closed. */
export async function chooseJuryWinners(db: Db, contestId: number, entryIds: number[], now: Date): Promise<Contest> {
  const contest = toContest(await lockContest(db, contestId));
  if (contest.drawingFormat !== 'jury') throw new DomainError('CONTEST_WRONG_STATE', { id: contestId, drawingFormat: contest.drawingFormat, expected: 'jury' });
  if (!(contest.state === 'entries_open' || contest.state === 'voting_open' || contest.state === 'winners_chosen') || (contest.entriesTo && now < contest.entriesTo))
    throw new DomainError('CONTEST_WRONG_STATE', { id: contestId, state: contest.state, rule: 'after entries close, before results are published' });
  if (new Set(entryIds).size !== entryIds.length) throw new DomainError('VALIDATION', { field: 'entryIds', problem: 'an entry is named twice' });
  if (entryIds.length > (contest.winnersCount ?? 1)) throw new DomainError('VALIDATION', { field: 'entryIds', problem: `at most ${contest.winnersCount} winners` });
  for (const id of entryIds) {
    const entry = await getEntry(db, contestId, id);
    if (entry.state !== 'accepted') throw new DomainError('VALIDATION', { field: 'entryIds', problem: `entry ${id} is not accepted` });
  }
  await setWinners(db, contestId, entryIds, now);
  return getContest(db, contestId);
}

/** random_draw: reveals the seed and draws among the accepted entries (drawWinners), once entries are closed. */
export async function runDraw(db: Db, contestId: number, now: Date): Promise<Contest> {
  const row = await lockContest(db, contestId);
  const contest = toContest(row);
  if (contest.drawingFormat !== 'random_draw' || row.drawn_at !== null || row.draw_seed === null) throw new DomainError('DRAW_NOT_AVAILABLE', { id: contestId });
  if (!(contest.state === 'entries_open' || contest.state === 'voting_open') || (contest.entriesTo && now < contest.entriesTo))
    throw new DomainError('DRAW_NOT_AVAILABLE', { id: contestId, state: contest.state, rule: 'after entries close' });
  const accepted = await listEntries(db, contestId, { states: ['accepted'] });
  const winners = drawWinners(
    row.draw_seed,
    accepted.map((e) => e.id),
    contest.winnersCount ?? 1,
  );
  await db.updateTable('contest').set({ drawn_at: now }).where('id', '=', contestId).execute();
  await setWinners(db, contestId, winners, now);
  return getContest(db, contestId);
}

export interface DrawRecord {
  contestId: number;
  commitment: string | null;
  seed: string | null;
  drawnAt: Date | null;
  entries: number[];
  winners: number[];
  algorithm: string;
}

export const DRAW_ALGORITHM =
  'commitment = hex(sha256(ascii(seed))); candidates = accepted entry ids ascending; round r = 0,1,…: ' +
  'x = first 8 bytes of sha256(ascii(seed + ":" + r)) as unsigned big-endian; winner = candidates.splice(x mod candidates.length, 1); place = r + 1';

/** The published data of the draw: the seed only once revealed. */
export async function drawRecord(db: Db, contest: Contest): Promise<DrawRecord> {
  const drawn = contest.drawnAt !== null;
  const accepted = drawn ? await listEntries(db, contest.id, { states: ['accepted'] }) : [];
  const winners = accepted.filter((e) => e.winnerPlace !== null).sort((a, b) => a.winnerPlace! - b.winnerPlace!);
  return {
    contestId: contest.id,
    commitment: contest.drawCommitment,
    seed: drawn ? contest.drawSeed : null,
    drawnAt: contest.drawnAt,
    entries: accepted.map((e) => e.id),
    winners: winners.map((e) => e.id),
    algorithm: DRAW_ALGORITHM,
  };
}

/**
 * The winners as residents read them, one a line in their language: «1 место — работа № 12» (a
 * list of locale references, rendered by the bots; «1. №12» read as a list of numbers).
 */
export function winnerLines(winners: Pick<ContestEntry, 'id' | 'winnerPlace'>[]): { $key: string; $params: Record<string, unknown> }[] {
  return winners.map((w) => ({ $key: 'contests.winner_line', $params: { place: w.winnerPlace, entryId: w.id } }));
}

/** winners_chosen → results_published: broadcast to subscribers, winners told personally, other participants told too. */
async function publishResults(db: Db, contest: Contest, now: Date): Promise<void> {
  await db.updateTable('contest').set({ state: 'results_published', results_published_at: now, updated_at: now }).where('id', '=', contest.id).execute();
  const winners = (await listEntries(db, contest.id, { states: ['accepted'] })).filter((e) => e.winnerPlace !== null).sort((a, b) => a.winnerPlace! - b.winnerPlace!);
  const params = { ...announcementParams(contest, await timeZoneOf(db, contest.municipalityId)), winners: winnerLines(winners) };
  // No accepted entry, no winner: said so, not "Winners:" and nothing.
  const key = winners.length > 0 ? 'contests.results' : 'contests.results_none';
  await announce(db, {
    audience: { municipalityId: contest.municipalityId, topic: 'contests' },
    message: { key, params, keyboard: openKeyboard(contest.id) },
    kind: 'broadcast.contest',
    source: `contest:${contest.id}`,
  });
  for (const winner of winners) {
    await notifyResident(db, winner.residentId, 'contests.you_won', { ...params, entryId: winner.id, place: winner.winnerPlace }, { kind: 'contest.winner', dedupeKey: `contest.winner:${winner.id}` });
  }
  // Participants who do not get the broadcast (unsubscribed from contests) still hear the results once.
  const others = await db
    .selectFrom('contest_entry')
    .select('resident_id')
    .distinct()
    .where('contest_id', '=', contest.id)
    .where('winner_place', 'is', null)
    .where(sql<boolean>`NOT ${subscribedSql(sql.ref('contest_entry.resident_id'), 'contests')}`)
    .where('resident_id', 'not in', winners.length > 0 ? winners.map((w) => w.residentId) : [0])
    .execute();
  for (const { resident_id } of others) {
    await notifyResident(db, resident_id, key, params, { kind: 'contest.results', dedupeKey: `contest.results:${contest.id}:${resident_id}`, keyboard: openKeyboard(contest.id) });
  }
}

export interface AdvanceCounts {
  entriesOpened: number;
  votingOpened: number;
  winnersChosen: number;
  resultsPublished: number;
}

/**
 * The cron job: moves every contest along its dates (stored UTC instants, entered in the
 * municipality's local time), in the job's transaction (core/jobs/run-job.ts, under its advisory
 * lock); a contest late by several steps takes them in order. A jury contest waits at voting's end
 * for the officials' choice.
 */
export async function advanceContests(db: Db, now: Date): Promise<AdvanceCounts> {
  const counts: AdvanceCounts = { entriesOpened: 0, votingOpened: 0, winnersChosen: 0, resultsPublished: 0 };
  const due = await db
    .selectFrom('contest')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'published'), eb('entries_from', '<=', now)]),
        eb.and([eb('state', '=', 'entries_open'), eb.or([eb('voting_from', '<=', now), eb('voting_to', '<=', now)])]),
        eb.and([eb('state', '=', 'voting_open'), eb('voting_to', '<=', now), eb('drawing_format', '!=', 'jury')]),
        eb.and([eb('state', '=', 'winners_chosen'), eb('results_on', '<=', now)]),
      ]),
    )
    .orderBy('id')
    .execute();
  const trx = db;
  for (const { id } of due) {
    // Several steps may be due at once (a late start): take them in order in one go.
    for (let guard = 0; guard < 4; guard++) {
      const row = await lockContest(trx, id);
      const contest = toContest(row);
      const zone = await timeZoneOf(trx, contest.municipalityId);
      if (contest.state === 'published' && contest.entriesFrom! <= now) {
        const seed = contest.drawingFormat === 'random_draw' ? newSeed() : null;
        const commitment = seed ? commitmentOf(seed) : null;
        await trx.updateTable('contest').set({ state: 'entries_open', entries_opened_at: now, updated_at: now, draw_seed: seed, draw_commitment: commitment }).where('id', '=', id).execute();
        await announce(trx, {
          audience: { municipalityId: contest.municipalityId, topic: 'contests' },
          message: { key: commitment ? 'contests.entries_open_draw' : 'contests.entries_open', params: { ...announcementParams(contest, zone), commitment }, keyboard: openKeyboard(id) },
          kind: 'broadcast.contest',
          source: `contest:${id}`,
        });
        counts.entriesOpened++;
      } else if (contest.state === 'entries_open' && (contest.votingFrom! <= now || contest.votingTo! <= now)) {
        await trx.updateTable('contest').set({ state: 'voting_open', voting_opened_at: now, updated_at: now }).where('id', '=', id).execute();
        if (contest.drawingFormat === 'audience_vote') {
          await announce(trx, {
            audience: { municipalityId: contest.municipalityId, topic: 'contests' },
            message: { key: 'contests.voting_open', params: announcementParams(contest, zone), keyboard: openKeyboard(id) },
            kind: 'broadcast.contest',
            source: `contest:${id}`,
          });
        }
        counts.votingOpened++;
      } else if (contest.state === 'voting_open' && contest.votingTo! <= now && contest.drawingFormat !== 'jury') {
        if (contest.drawingFormat === 'audience_vote') await rankByVotes(trx, contest, now);
        else await runDraw(trx, id, now);
        counts.winnersChosen++;
      } else if (contest.state === 'winners_chosen' && contest.resultsOn! <= now) {
        await publishResults(trx, contest, now);
        counts.resultsPublished++;
      } else break;
    }
  }
  return counts;
}

/**
 * Withdraws a published contest (by mistake, called off) before its results: state `withdrawn`,
 * nothing further happens to it (the cron leaves it, no entries, votes or winners); whatever of its
 * announcements is not sent yet is not sent; the entries are kept and their authors told (with the
 * reason, when officials gave one: WITHDRAW_REASON_MAX characters at most). A draft or a finished contest is
 * 409 CONTEST_WRONG_STATE. Residents who open it afterwards are told it was withdrawn (and why).
 */
export async function withdrawContest(db: Db, id: number, now: Date, reason: string | null = null): Promise<Contest> {
  const why = withdrawReason(reason);
  const row = await lockContest(db, id);
  if (!(['published', 'entries_open', 'voting_open', 'winners_chosen'] as ContestState[]).includes(row.state))
    throw new DomainError('CONTEST_WRONG_STATE', { id, state: row.state, rule: 'published, before its results' });
  await db.updateTable('contest').set({ state: 'withdrawn', withdrawn_at: now, withdrawn_reason: why, updated_at: now }).where('id', '=', id).execute();
  // Every step of a contest is announced on its own (publication, entries, voting): each one stops.
  await stopAnnouncementsOf(db, `contest:${id}`, now);
  // Who sent an entry is told once (their entry is kept), whatever their subscriptions.
  const participants = await db.selectFrom('contest_entry').select('resident_id').distinct().where('contest_id', '=', id).orderBy('resident_id').execute();
  for (const { resident_id } of participants) {
    await notifyResident(
      db,
      resident_id,
      why === null ? 'contests.withdrawn_notice' : 'contests.withdrawn_notice_reason',
      { title: row.title, ...(why !== null && { reason: why }) },
      {
        kind: 'contest.withdrawn',
        dedupeKey: `contest.withdrawn:${id}:${resident_id}`,
      },
    );
  }
  return getContest(db, id);
}

/** How long a contest stays in the bot's list after its results are published (a resident looks for them there). */
export const RESULTS_LISTED_DAYS = 30;

/**
 * Contests a resident can see in the bot: their municipality's and the region's, from publication
 * to the results and for RESULTS_LISTED_DAYS after them, newest first.
 */
export async function openContestsFor(db: Db, municipalityId: number | null, now: Date): Promise<Contest[]> {
  const resultsSince = new Date(now.getTime() - RESULTS_LISTED_DAYS * 86_400_000);
  let query = db
    .selectFrom('contest')
    .selectAll()
    .where((eb) =>
      eb.or([eb('state', 'in', ['published', 'entries_open', 'voting_open', 'winners_chosen']), eb.and([eb('state', '=', 'results_published'), eb('results_published_at', '>', resultsSince)])]),
    )
    .orderBy('id', 'desc');
  query = query.where((eb) => (municipalityId === null ? eb('municipality_id', 'is', null) : eb.or([eb('municipality_id', '=', municipalityId), eb('municipality_id', 'is', null)])));
  return (await query.limit(20).execute()).map((r) => toContest(r as ContestRow));
}
