import { sql } from 'kysely';
import type { Db } from '../../db/types.ts';
import { computeKpis, type KpiResult } from '../engine.ts';
import { sourceCommentOutboxKey } from '../../messages/answers.service.ts';

let seq = 0;

/** A fresh municipality (Kuzbass time) so each case counts only its own hand-built rows. */
export async function freshMunicipality(db: Db, populationOver14 = 1000): Promise<number> {
  seq++;
  const row = await db
    .insertInto('municipality')
    .values({
      name_ru: `Тест ${process.pid}-${seq}`,
      name_en: `Test ${process.pid}-${seq}`,
      oktmo: `9${String(process.pid % 100000).padStart(5, '0')}${String(seq).padStart(3, '0')}`,
      population_over_14: populationOver14,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface MessageRows {
  count: number;
  status?: 'new' | 'rejected' | 'in_work' | 'solved' | 'explained';
  createdAt?: Date;
  acceptedAt?: Date | null;
  closedAt?: Date | null;
  firstIntermediateAt?: Date | null;
  published?: boolean;
  stars?: number | null;
  /** When the stars were given (default: when closed, else when filed). */
  ratedAt?: Date | null;
  authorId?: number | null;
  executorId?: number | null;
}

/** `count` identical messages in one INSERT; returns their ids. */
export async function insertMessages(db: Db, municipalityId: number, rows: MessageRows): Promise<number[]> {
  const category = await db.selectFrom('category').select('id').orderBy('id').executeTakeFirstOrThrow();
  const created = rows.createdAt ?? rows.acceptedAt ?? new Date('2026-01-01T00:00:00Z');
  const result = await sql<{ id: number }>`
    INSERT INTO message (author_id, municipality_id, category_id, text, lat, lon, status, published, executor_id, created_at, accepted_at, first_intermediate_at, closed_at, updated_at, rating_stars, rated_at)
    SELECT ${rows.authorId ?? null}::int, ${municipalityId}::int, ${category.id}::int, 'Тестовое сообщение ' || g, 55.35, 86.08, ${rows.status ?? 'in_work'}, ${rows.published ?? false}, ${rows.executorId ?? null}::int,
           ${created}::timestamptz, ${rows.acceptedAt ?? null}::timestamptz, ${rows.firstIntermediateAt ?? null}::timestamptz, ${rows.closedAt ?? null}::timestamptz, ${created}::timestamptz, ${rows.stars ?? null}::smallint,
           ${rows.stars == null ? null : (rows.ratedAt ?? rows.closedAt ?? created)}::timestamptz
    FROM generate_series(1, ${rows.count}) g
    RETURNING id`.execute(db);
  return result.rows.map((r) => r.id);
}

/** `count` residents of the municipality registered at `registeredAt`; returns their ids. */
export async function insertResidents(db: Db, municipalityId: number, count: number, registeredAt: Date | null): Promise<number[]> {
  const result = await sql<{ id: number }>`
    INSERT INTO resident (display_name, municipality_id, registered_at)
    SELECT 'Житель ' || g, ${municipalityId}::int, ${registeredAt}::timestamptz FROM generate_series(1, ${count}) g RETURNING id`.execute(db);
  return result.rows.map((r) => r.id);
}

/** Kuzbass local time (UTC+7) as an instant: local('2026-10-31T23:59:59'). */
export function local(text: string): Date {
  return new Date(`${text}+07:00`);
}

/** After the end of 2026 (every 2026 period closed). */
export const AFTER_2026 = local('2027-01-15T12:00:00');

/** One indicator of one municipality for a period, as the engine computes it (no trend). */
export async function oneKpi(db: Db, municipalityId: number, n: number, period: string, now = AFTER_2026): Promise<KpiResult> {
  const [r] = await computeKpis(db, municipalityId, period, now, { kpis: [n], trend: false });
  return r!;
}

/** An answer draft of an open-source message and what became of it (local Kuzbass times). */
export interface OpenSourceDraft {
  at: string;
  kind?: 'final' | 'intermediate' | 'clarification';
  returnedAt?: string;
  approvedAt?: string;
  sentAt?: string;
  byHandAt?: string;
}

/**
 * An open-source message (a post or comment the ЦУР took in) of `municipality`, accepted at `acceptedAt`, answered
 * under the source or by hand; with its draft: approved, returned, posted under the source (outbox sent) or delivered by hand.
 */
export async function insertOpenSourceMessage(
  db: Db,
  municipality: number,
  source: string,
  target: 'source_comment' | 'by_hand',
  acceptedAt: string,
  more: { status?: 'in_work' | 'solved'; stars?: number; draft?: OpenSourceDraft } = {},
): Promise<number> {
  const [id] = await insertMessages(db, municipality, {
    count: 1,
    status: more.status ?? 'in_work',
    createdAt: local(acceptedAt),
    acceptedAt: local(acceptedAt),
    closedAt: more.status === 'solved' ? local(more.draft!.approvedAt!) : null,
    stars: more.stars ?? null,
  });
  await db
    .updateTable('message')
    .set({ open_source: true, source: source as never, answer_target: target })
    .where('id', '=', id!)
    .execute();
  const d = more.draft;
  if (!d) return id!;
  const answer = await db
    .insertInto('answer')
    .values({
      message_id: id!,
      kind: d.kind ?? 'final',
      resolution: (d.kind ?? 'final') === 'final' ? 'solved' : null,
      text: 'Ответ',
      state: d.byHandAt ? 'delivered' : d.approvedAt ? 'approved' : 'draft',
      approved_at: d.approvedAt ? local(d.approvedAt) : null,
      delivered_at: d.byHandAt ? local(d.byHandAt) : null,
      created_at: local(d.at),
      updated_at: local(d.at),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (d.returnedAt)
    await db
      .insertInto('message_event')
      .values({ message_id: id!, kind: 'answer_returned', actor_kind: 'staff', data: JSON.stringify({ answerId: answer.id }), created_at: local(d.returnedAt) })
      .execute();
  if (d.sentAt)
    await db
      .insertInto('outbox')
      .values({
        channel: 'vk',
        chat_id: 'wall-1_1',
        recipient_kind: 'chat',
        kind: 'wall.comment',
        payload: JSON.stringify({ key: 'wall.comment' }),
        state: 'sent',
        dedupe_key: sourceCommentOutboxKey(answer.id),
        sent_at: local(d.sentAt),
      })
      .execute();
  return id!;
}
