import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db/types.ts';
import type { QuestionKind } from './poll.table.ts';
import { getPoll, type Poll } from './polls.ts';

export interface OptionResult {
  id: number;
  text: string;
  count: number;
  /** Of the voters, one decimal. */
  percent: number;
}

export interface QuestionResult {
  id: number;
  position: number;
  kind: QuestionKind;
  text: string;
  /** Voters who answered it (free text is optional). */
  answered: number;
  options: OptionResult[];
  /** Free-text answers, without their authors: for officials only (`withTexts`). */
  texts?: string[];
}

export interface PollResults {
  pollId: number;
  title: string;
  state: Poll['state'];
  voters: number;
  /** Registered residents of the municipality (of the region for a region-wide poll). */
  registeredResidents: number;
  /** Voters over registered residents, percent with one decimal. */
  turnout: number;
  questions: QuestionResult[];
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part * 1000) / whole) / 10);

/**
 * Aggregates only: counts and percentages per option, the number of voters and the turnout. The
 * answers carry no ballot or resident, so nothing here can say who chose what; free-text answers
 * are listed (without authors) only when `withTexts` (officials).
 */
export async function pollResults(db: Db, pollId: number, options: { withTexts: boolean }): Promise<PollResults> {
  const poll = await getPoll(db, pollId);
  const voters = Number(
    (
      await db
        .selectFrom('poll_ballot')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('poll_id', '=', pollId)
        .executeTakeFirstOrThrow()
    ).n,
  );
  let residents = db
    .selectFrom('resident')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('registered_at', 'is not', null);
  if (poll.municipalityId !== null) residents = residents.where('municipality_id', '=', poll.municipalityId);
  const registeredResidents = Number((await residents.executeTakeFirstOrThrow()).n);
  const counts = await db
    .selectFrom('poll_answer')
    .select(['question_id', 'option_id'])
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('poll_id', '=', pollId)
    .where('option_id', 'is not', null)
    .groupBy(['question_id', 'option_id'])
    .execute();
  const textRows = await db.selectFrom('poll_answer').select(['question_id', 'text']).where('poll_id', '=', pollId).where('text', 'is not', null).orderBy('id').execute();
  const questions = poll.questions.map((q): QuestionResult => {
    const texts = textRows.filter((t) => t.question_id === q.id).map((t) => t.text!);
    const optionResults = q.options.map((o) => {
      const count = Number(counts.find((c) => c.question_id === q.id && c.option_id === o.id)?.n ?? 0);
      return { id: o.id, text: o.text, count, percent: percent(count, voters) };
    });
    return {
      id: q.id,
      position: q.position,
      kind: q.kind,
      text: q.text,
      answered: q.kind === 'text' ? texts.length : voters,
      options: optionResults,
      ...(options.withTexts && q.kind === 'text' && { texts }),
    };
  });
  return { pollId, title: poll.title, state: poll.state, voters, registeredResidents, turnout: percent(voters, registeredResidents), questions };
}

/** The results as CSV (one row per option; free-text answers one per row, without authors); UTF-8 with a BOM, formulas escaped. */
export function resultsCsv(results: PollResults): string {
  const rows: (string | number)[][] = [['question', 'kind', 'option', 'count', 'percent', 'text']];
  for (const q of results.questions) {
    for (const o of q.options) rows.push([q.text, q.kind, o.text, o.count, o.percent, '']);
    for (const text of q.texts ?? []) rows.push([q.text, q.kind, '', '', '', text]);
  }
  rows.push(['voters', '', '', results.voters, '', '']);
  rows.push(['registered residents', '', '', results.registeredResidents, results.turnout, '']);
  return stringify(rows, { bom: true, escape_formulas: true, record_delimiter: 'windows' });
}

/** A text bar for the bot: `▓▓▓▓░░░░░░` for a percentage. */
export function textBar(percentValue: number, width = 10): string {
  const filled = Math.max(0, Math.min(width, Math.round((percentValue / 100) * width)));
  return '▓'.repeat(filled) + '░'.repeat(width - filled);
}
