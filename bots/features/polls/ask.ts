import { askQuestion, collectingDirectLine, DIRECT_LINE_LIMITS, questionsAsked } from '../../../core/polls/direct-line.ts';
import { button } from '../../dialogs/buttons.ts';
import { end, enter, num, type Flow, type Outcome, reply, stay, type StepContext } from '../../dialogs/flow.ts';
import { isRegistered, registrationRequired } from '../../dialogs/registration-check.ts';

export const ASK_FLOW = 'direct-line';

/** Whether the resident's municipality is collecting questions for the head now (the menu entry shows only then). */
export async function directLineOpen(c: StepContext): Promise<boolean> {
  const municipalityId = c.resident?.municipalityId ?? null;
  return municipalityId !== null && (await collectingDirectLine(c.db, municipalityId, c.now)) !== undefined;
}

/** `/ask`, the menu entry and an announcement's "Ask" button: the question prompt while the resident's campaign collects. */
export async function startAsking(c: StepContext, lineId?: number): Promise<Outcome> {
  if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
  const line = await collectingDirectLine(c.db, c.resident.municipalityId, c.now);
  if (!line || (lineId !== undefined && line.id !== lineId)) return reply([{ key: 'polls.ask_none' }]);
  if ((await questionsAsked(c.db, line.id, c.resident.id)) >= DIRECT_LINE_LIMITS.questionsPerResident) {
    return reply([{ key: 'errors.DIRECT_LINE_QUESTION_LIMIT', params: { max: DIRECT_LINE_LIMITS.questionsPerResident } }]);
  }
  return enter(ASK_FLOW, { data: { lineId: line.id } });
}

/** One question for the head's direct line: text (≤ 1000 characters), or Cancel. */
export const askFlow: Flow = {
  name: ASK_FLOW,
  first: 'text',
  needsRegistration: true,
  steps: {
    text: {
      accepts: ['text', 'button'],
      wrongInput: 'filing.send_text',
      async prompt(c) {
        const line = await collectingDirectLine(c.db, c.resident.municipalityId, c.now);
        const asked = line ? await questionsAsked(c.db, line.id, c.resident.id) : 0;
        return [
          {
            key: 'polls.ask_prompt',
            params: { title: line?.title ?? '', head: line?.headName ?? '', left: DIRECT_LINE_LIMITS.questionsPerResident - asked },
            keyboard: { kind: 'inline', rows: [[button('x', 'polls.cancel')]] },
          },
        ];
      },
      async next(c, input) {
        if (input.kind === 'button') return input.action === 'x' ? end([{ key: 'polls.cancelled' }]) : stay({ reprompt: true });
        if (input.kind !== 'text') return stay({ reprompt: true });
        const lineId = num(c.data, 'lineId')!;
        await askQuestion(c.db, { directLineId: lineId, residentId: c.resident.id, channel: c.identity.channel, text: input.text }, c.now);
        const left = DIRECT_LINE_LIMITS.questionsPerResident - (await questionsAsked(c.db, lineId, c.resident.id));
        return end([{ key: 'polls.ask_saved', params: { left } }]);
      },
    },
  },
};
