import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/**
 * KPI 8, monthly: comments by a message's own author made in the month, answered by an official,
 * at least 70 %. Answered: a staff comment on the same message that replies to it (reply_to_id),
 * or a later staff comment on the message that replies to nothing in particular, by the time of
 * measurement.
 */
export const kpi08: Indicator = {
  number: 8,
  nameRu: 'Ответы на комментарии автора сообщения в месяц',
  nameEn: "Author's comments answered",
  period: 'month',
  target: { kind: 'min_share', min: 0.7 },
  numerator: "author's comments of the month answered by an official",
  denominator: "comments of the month by the message's author",
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; comments: string; answered: string }>`
      SELECT m.municipality_id, count(*) AS comments,
             count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM comment r
               WHERE r.message_id = c.message_id AND r.author_kind = 'staff' AND r.created_at < ${ctx.at}
                 AND (r.reply_to_id = c.id OR (r.reply_to_id IS NULL AND r.id > c.id)))) AS answered
      FROM comment c JOIN message m ON m.id = c.message_id
      WHERE m.municipality_id = ANY(${ctx.ids}::int[]) AND c.author_kind = 'resident' AND c.resident_id = m.author_id
        AND c.created_at >= ${ctx.period.from} AND c.created_at < ${ctx.period.to}
      GROUP BY m.municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.answered), denominator: num(row?.comments) }));
  },
};
