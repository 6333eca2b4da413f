import { addRatingComplaint, addResidentComment } from '../../../core/messages/feedback.service.ts';
import { assertResidentCanView, listResidentMessages } from '../../../core/messages/message.queries.ts';
import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { button } from '../../dialogs/buttons.ts';
import { end, goto, num, stay, type Flow } from '../../dialogs/flow.ts';
import { formatDate } from '../../dialogs/format.ts';
import { menuButton } from '../../dialogs/menu.ts';
import { pagerRow } from '../../dialogs/paging.ts';
import { CARD_AGAIN } from './actions.ts';
import { categoryTitles, listItemLine, messageCardView } from './card.ts';
import { backToMenuButton } from '../basics/back-to-menu.ts';

const MESSAGES_PER_PAGE = 5;

/** My messages: a paged list → a card → comment; rating (global buttons) → what is wrong. */
export const messagesFlow: Flow = {
  name: 'messages',
  first: 'list',
  needsRegistration: true,
  steps: {
    list: {
      screen: true,
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      async prompt(c) {
        const requested = num(c.data, 'page') ?? 0;
        let { items, total } = await listResidentMessages(c.db, c.resident.id, { offset: requested * MESSAGES_PER_PAGE, limit: MESSAGES_PER_PAGE });
        const pages = Math.max(1, Math.ceil(total / MESSAGES_PER_PAGE));
        const page = Math.min(requested, pages - 1);
        if (page !== requested) ({ items, total } = await listResidentMessages(c.db, c.resident.id, { offset: page * MESSAGES_PER_PAGE, limit: MESSAGES_PER_PAGE }));
        if (total === 0) return [{ key: 'my.empty', keyboard: { kind: 'inline', rows: [[menuButton('file', 'menu.file')], [backToMenuButton()]] } }];
        const titles = await categoryTitles(c);
        const zones = new Map<number, string>();
        for (const m of items) if (!zones.has(m.municipalityId)) zones.set(m.municipalityId, (await getMunicipality(c.db, m.municipalityId)).timeZone);
        const pager = pagerRow(page, pages);
        return [
          {
            key: 'my.list',
            params: { count: total },
            lines: items.map((m) => listItemLine(m, titles.get(m.categoryId) ?? '—', formatDate(m.createdAt, c.language, zones.get(m.municipalityId)!))),
            keyboard: {
              kind: 'inline',
              rows: [items.map((m) => button(`o:${m.id}`, 'dialog.message_number', { id: m.id })), ...(pager.length > 0 ? [pager] : []), [backToMenuButton()]],
            },
          },
        ];
      },
      async next(c, input) {
        const id = input.kind === 'button' && input.action.startsWith('o:') ? Number(input.action.slice(2)) : NaN;
        if (!Number.isSafeInteger(id)) return stay({ reprompt: true });
        await assertResidentCanView(c.db, c.resident.id, id);
        return goto('card', { data: { messageId: id, [CARD_AGAIN]: false } });
      },
    },
    card: {
      screen: true,
      accepts: ['button'],
      wrongInput: 'dialog.use_buttons',
      prompt: (c) => messageCardView(c, num(c.data, 'messageId')!, [[button('cm', 'my.add_comment')], [button('b', 'my.back_to_list'), backToMenuButton()]], { photos: c.data[CARD_AGAIN] !== true }),
      next(_c, input) {
        if (input.kind === 'button' && input.action === 'cm') return goto('comment');
        if (input.kind === 'button' && input.action === 'b') return goto('list', { data: { messageId: undefined } });
        return stay({ reprompt: true });
      },
    },
    comment: {
      accepts: ['text', 'button'],
      textAnswer: true,
      wrongInput: 'dialog.send_text_only',
      prompt: (c) => [{ key: 'my.comment_prompt', params: { messageId: num(c.data, 'messageId') }, keyboard: { kind: 'inline', rows: [[button('b', 'dialog.back')]] } }],
      async next(c, input) {
        if (input.kind === 'button') return input.action === 'b' ? goto('card', { data: { [CARD_AGAIN]: true } }) : stay({ reprompt: true });
        if (input.kind !== 'text') return stay({ reprompt: true });
        const messageId = num(c.data, 'messageId')!;
        await addResidentComment(c.db, { residentId: c.resident.id, messageId, text: input.text }, c.now);
        return goto('card', { data: { [CARD_AGAIN]: true }, say: [{ key: 'my.comment_added', params: { messageId } }] });
      },
    },
    complaint: {
      accepts: ['text', 'button'],
      wrongInput: 'dialog.send_text_only',
      prompt: (c) => [{ key: 'my.complaint_prompt', params: { messageId: num(c.data, 'messageId') }, keyboard: { kind: 'inline', rows: [[button('skip', 'reg.skip')]] } }],
      async next(c, input) {
        // Skipping replaces the prompt with a thanks in place; no main menu follows.
        if (input.kind === 'button') return input.action === 'skip' ? end([{ key: 'my.thanks', edit: true }], false) : stay({ reprompt: true });
        if (input.kind !== 'text') return stay({ reprompt: true });
        const messageId = num(c.data, 'messageId')!;
        await addRatingComplaint(c.db, { residentId: c.resident.id, messageId, text: input.text }, c.now);
        return end([{ key: 'my.complaint_saved', params: { messageId } }], false);
      },
    },
  },
};
