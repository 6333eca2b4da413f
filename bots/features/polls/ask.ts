import { getCategory, listCategories, listSectors, titleIn } from '../../../core/categories/category.repository.ts';
import { DomainError, type ErrorCode, isDomainError } from '../../../core/errors.ts';
import { askQuestion, collectingDirectLine, DIRECT_LINE_LIMITS, getDirectLine, questionsAsked } from '../../../core/polls/direct-line.ts';
import { isBlankText } from '../../../core/text/unsafe-text.ts';
import { button, literalButton } from '../../dialogs/buttons.ts';
import { end, enter, goto, num, type Flow, type Outcome, reply, type StepContext, stay, str } from '../../dialogs/flow.ts';
import { domainErrorView, unstorableTextView, withdrawnReasonLine } from '../../dialogs/errors.ts';
import { listRows, pageOf, pageSizeFor } from '../../dialogs/paging.ts';
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
  if (!line || (lineId !== undefined && line.id !== lineId)) {
    // The button of a campaign called off since: said so, not just "no campaign now".
    const tapped = lineId === undefined ? undefined : await getDirectLine(c.db, lineId).catch(() => undefined);
    if (!tapped?.withdrawnAt) return reply([{ key: 'polls.ask_none' }]);
    return reply([{ key: 'errors.DIRECT_LINE_WITHDRAWN', ...(tapped.withdrawnReason && { lines: [withdrawnReasonLine(tapped.withdrawnReason)] }) }]);
  }
  if ((await questionsAsked(c.db, line.id, c.resident.id)) >= DIRECT_LINE_LIMITS.questionsPerResident) {
    return reply([{ key: 'errors.DIRECT_LINE_QUESTION_LIMIT', params: { max: DIRECT_LINE_LIMITS.questionsPerResident } }]);
  }
  return enter(ASK_FLOW, { data: { lineId: line.id } });
}

const LIST_PAGE_SIZE = 8;

function idFrom(action: string, prefix: string): number | undefined {
  if (!action.startsWith(prefix)) return undefined;
  const id = Number(action.slice(prefix.length));
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Why the question can no longer be saved whatever the resident presses next: the campaign called
 * off or its collection over since the flow began, the resident's limit reached from the other
 * messenger. The flow ends with the reason instead of asking for the category again.
 */
const ASKING_OVER: readonly ErrorCode[] = ['DIRECT_LINE_WITHDRAWN', 'DIRECT_LINE_NOT_OPEN', 'DIRECT_LINE_QUESTION_LIMIT'];

/** Saves the question (the text kept in the flow's data) with the chosen category, or none. */
async function save(c: StepContext, categoryId: number | null): Promise<Outcome> {
  const lineId = num(c.data, 'lineId')!;
  try {
    await askQuestion(c.db, { directLineId: lineId, residentId: c.resident.id, channel: c.identity.channel, text: str(c.data, 'text') ?? '', categoryId }, c.now);
  } catch (error) {
    // Nothing was written before the refusal (askQuestion checks first).
    if (ASKING_OVER.some((code) => isDomainError(error, code))) return end([domainErrorView(error)!]);
    throw error;
  }
  const left = DIRECT_LINE_LIMITS.questionsPerResident - (await questionsAsked(c.db, lineId, c.resident.id));
  return end([left > 0 ? { key: 'polls.ask_saved', params: { left } } : { key: 'polls.ask_saved_last', params: { max: DIRECT_LINE_LIMITS.questionsPerResident } }]);
}

/**
 * One question for the head's direct line: text (≤ 1000 characters), then an optional category of
 * the shared directory (sector → category, paged like filing's lists) or Skip; Cancel at the start.
 */
export const askFlow: Flow = {
  name: ASK_FLOW,
  first: 'text',
  needsRegistration: true,
  // The question written, its category not chosen yet: leaving for something else says it was not sent.
  draft: (data) => (str(data, 'text') !== undefined ? 'polls.ask_draft_discarded' : undefined),
  steps: {
    text: {
      accepts: ['text', 'button'],
      textAnswer: true,
      wrongInput: 'dialog.send_text_only',
      async prompt(c) {
        const line = await collectingDirectLine(c.db, c.resident.municipalityId, c.now);
        const asked = line ? await questionsAsked(c.db, line.id, c.resident.id) : 0;
        return [
          {
            // The first question says how many may be asked in all; later ones how many are left.
            key: asked === 0 ? 'polls.ask_prompt_first' : 'polls.ask_prompt',
            params: { title: line?.title ?? '', head: line?.headName ?? '', left: DIRECT_LINE_LIMITS.questionsPerResident - asked, max: DIRECT_LINE_LIMITS.questionsPerResident },
            keyboard: { kind: 'inline', rows: [[button('x', 'polls.cancel')]] },
          },
        ];
      },
      validate(_c, input) {
        if (input.kind !== 'text') return undefined;
        const text = input.text.trim();
        const unstorable = unstorableTextView(text);
        if (unstorable) return unstorable;
        if (isBlankText(text)) return { key: 'errors.TEXT_EMPTY' };
        if (text.length > DIRECT_LINE_LIMITS.maxText) return { key: 'errors.TEXT_TOO_LONG', params: { max: DIRECT_LINE_LIMITS.maxText, length: text.length } };
        return undefined;
      },
      next(_c, input) {
        if (input.kind === 'button') return input.action === 'x' ? end([{ key: 'polls.cancelled' }]) : stay({ reprompt: true });
        if (input.kind !== 'text') return stay({ reprompt: true });
        return goto('sector', { data: { text: input.text.trim() } });
      },
    },
    sector: {
      accepts: ['button'],
      wrongInput: 'polls.use_buttons',
      async prompt(c) {
        const size = pageSizeFor(c.from.channel, LIST_PAGE_SIZE, { perRow: 2, fixedButtons: 2, fixedRows: 1 });
        const { items, page, pages } = pageOf(await listSectors(c.db), num(c.data, 'page') ?? 0, size);
        const rows = listRows(
          items.map((s) => literalButton(`s:${s.id}`, titleIn(s, c.language))),
          page,
          pages,
          2,
        );
        return [{ key: 'polls.ask_sector', keyboard: { kind: 'inline', rows: [...rows, [button('k', 'polls.skip'), button('x', 'polls.cancel')]] } }];
      },
      next(c, input) {
        if (input.kind !== 'button') return stay({ reprompt: true });
        if (input.action === 'x') return end([{ key: 'polls.cancelled' }]);
        if (input.action === 'k') return save(c, null);
        const sectorId = idFrom(input.action, 's:');
        return sectorId ? goto('category', { data: { sectorId } }) : stay({ reprompt: true });
      },
    },
    category: {
      accepts: ['button'],
      wrongInput: 'polls.use_buttons',
      async prompt(c) {
        const categories = await listCategories(c.db, { sectorId: num(c.data, 'sectorId'), activeOnly: true });
        const size = pageSizeFor(c.from.channel, LIST_PAGE_SIZE, { fixedButtons: 2, fixedRows: 1 });
        const { items, page, pages } = pageOf(categories, num(c.data, 'page') ?? 0, size);
        const rows = listRows(
          items.map((cat) => literalButton(`c:${cat.id}`, titleIn(cat, c.language))),
          page,
          pages,
        );
        return [{ key: 'polls.ask_category', keyboard: { kind: 'inline', rows: [...rows, [button('b', 'polls.back'), button('k', 'polls.skip')]] } }];
      },
      async next(c, input) {
        if (input.kind !== 'button') return stay({ reprompt: true });
        if (input.action === 'b') return goto('sector', { data: { sectorId: undefined } });
        if (input.action === 'k') return save(c, null);
        const categoryId = idFrom(input.action, 'c:');
        if (!categoryId) return stay({ reprompt: true });
        const category = await getCategory(c.db, categoryId);
        if (!category.active || category.sectorId !== num(c.data, 'sectorId')) throw new DomainError('CATEGORY_NOT_FOUND', { id: categoryId });
        return save(c, categoryId);
      },
    },
  },
};
