import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/**
 * KPI 8, monthly: comments by a message's own author made in the month, answered by an official,
 * at least 70 % (seed 000: «Ответы на комментарии автора сообщения»). Answered, by the time of
 * measurement: a staff comment on the same message that replies to it (reply_to_id), or a later
 * staff comment on the message that replies to nothing in particular, or the body's answer itself —
 * an intermediate or final answer approved after the comment (seed 004 §6, §13: the answer the
 * curator approves is what goes to the author, in the chat or under the source post); a draft
 * not yet approved, or a clarification request, is not an answer.
 */
export const kpi08: Indicator = {
  number: 8,
  nameRu: 'Ответы на комментарии автора сообщения в месяц',
  nameEn: "Author's comments answered",
  period: 'month',
  target: { kind: 'min_share', min: 0.7 },
  numerator: "author's comments of the month answered by an official: a staff comment, or an intermediate or final answer approved after it",
  denominator: "comments of the month by the message's author",
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; comments: string; answered: string }>`
      SELECT m.municipality_id, count(*) AS comments,
             count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM comment r
               WHERE r.message_id = c.message_id AND r.author_kind = 'staff' AND r.created_at < ${ctx.at}
                 AND (r.reply_to_id = c.id OR (r.reply_to_id IS NULL AND r.id > c.id)))
               OR EXISTS (
               SELECT 1 FROM answer a
               WHERE a.message_id = c.message_id AND a.kind IN ('intermediate', 'final') AND a.state IN ('approved', 'delivered')
                 AND a.approved_at > c.created_at AND a.approved_at < ${ctx.at})) AS answered
      FROM comment c JOIN message m ON m.id = c.message_id
      WHERE m.municipality_id = ANY(${ctx.ids}::int[]) AND c.author_kind = 'resident' AND c.resident_id = m.author_id
        AND c.created_at >= ${ctx.period.from} AND c.created_at < ${ctx.period.to}
      GROUP BY m.municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.answered), denominator: num(row?.comments) }));
  },
};
