import { positiveIdArg } from '../../../core/dialogs/action-id.ts';
import { addComment, commentableTarget, MAX_COMMENT_LENGTH, reportComment, visibleComments, type CommentTarget } from '../../../core/item-comments/comments.service.ts';
import { button } from '../../dialogs/buttons.ts';
import { action, type BotFeature } from '../../dialogs/feature.ts';
import { end, enter, num, reply, str, type Flow, type StepContext } from '../../dialogs/flow.ts';
import { unstorableTextView } from '../../dialogs/errors.ts';
import type { View } from '../../dialogs/view.ts';
import { MAX_ROW_ID } from '../../../core/db/types.ts';
import { backToMenuButton } from '../basics/back-to-menu.ts';

const KIND_ARG = { news: 'n', poll: 'p' } as const;
const decodeTarget = (args: readonly string[]): CommentTarget | undefined => {
  if (args.length !== 2) return undefined;
  const kind = args[0] === 'n' ? 'news' : args[0] === 'p' ? 'poll' : undefined;
  const id = positiveIdArg(args[1], MAX_ROW_ID);
  return kind && id ? { kind, id } : undefined;
};

/** `!cw:<n|p>:<id>`: write a comment on a news item (n) or a poll (p). The polls module puts it on its cards. */
export const writeComment = action<CommentTarget>({
  tag: 'cw',
  encode: (t) => [KIND_ARG[t.kind], t.id],
  decode: decodeTarget,
  async run(c, target) {
    if (!(await commentableTarget(c.db, target, c.resident.municipalityId))) return reply([{ key: 'item_comments.unavailable' }]);
    return enter('item-comment', { data: { kind: target.kind, id: target.id } });
  },
});

/** `!cl:<n|p>:<id>`: the latest comments on a target, each with a "Report" button. */
export const listComments = action<CommentTarget>({
  tag: 'cl',
  encode: (t) => [KIND_ARG[t.kind], t.id],
  decode: decodeTarget,
  async run(c, target) {
    return reply(await commentsView(c, target));
  },
});

/** `!cr:<comment id>`: report a comment (once per resident; three reports hide it for review). */
const report = action<number>({
  tag: 'cr',
  encode: (id) => [id],
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0], MAX_ROW_ID) : undefined),
  async run(c, id) {
    const result = await reportComment(c.db, id, c.resident.id, c.now);
    return reply([{ key: `item_comments.report_${result}` }]);
  },
});

async function commentsView(c: StepContext, target: CommentTarget): Promise<View[]> {
  if (!(await commentableTarget(c.db, target, c.resident.municipalityId))) return [{ key: 'item_comments.unavailable' }];
  const comments = await visibleComments(c.db, target, 10);
  const write = [writeComment.button(target, 'item_comments.write')];
  if (comments.length === 0) return [{ key: 'item_comments.none', keyboard: { kind: 'inline', rows: [write] } }];
  return [
    ...comments.map(
      (comment): View => ({
        key: comment.replyText ? 'item_comments.item_with_reply' : 'item_comments.item',
        params: { text: comment.text, reply: comment.replyText ?? '' },
        ...(comment.residentId !== c.resident.id && { keyboard: { kind: 'inline', rows: [[report.button(comment.id, 'item_comments.report')]] } }),
      }),
    ),
    { key: 'item_comments.more', keyboard: { kind: 'inline', rows: [write] } },
  ];
}

const commentFlow: Flow = {
  name: 'item-comment',
  first: 'text',
  needsRegistration: true,
  steps: {
    text: {
      accepts: ['text', 'button'],
      textAnswer: true,
      wrongInput: 'item_comments.send_text',
      prompt: () => [{ key: 'item_comments.prompt', params: { max: MAX_COMMENT_LENGTH }, keyboard: { kind: 'inline', rows: [[button('x', 'item_comments.cancel')]] } }],
      validate(_c, input) {
        if (input.kind !== 'text') return undefined;
        const unstorable = unstorableTextView(input.text);
        if (unstorable) return unstorable;
        if ([...input.text.trim()].length > MAX_COMMENT_LENGTH) return { key: 'item_comments.too_long', params: { max: MAX_COMMENT_LENGTH } };
        return undefined;
      },
      async next(c, input) {
        if (input.kind === 'button') return input.action === 'x' ? end([{ key: 'item_comments.cancelled' }]) : reply([]);
        if (input.kind !== 'text') return reply([]);
        const kind = str(c.data, 'kind') === 'poll' ? 'poll' : 'news';
        const target: CommentTarget = { kind, id: num(c.data, 'id')! };
        // Archived (or otherwise taken away) while the comment was being written: said as when it is opened, and the comment ends.
        if (!(await commentableTarget(c.db, target, c.resident.municipalityId))) return end([{ key: 'item_comments.unavailable' }]);
        const comment = await addComment(c.db, { residentId: c.resident.id, residentMunicipalityId: c.resident.municipalityId, target, text: input.text }, c.now);
        return end(
          [
            {
              key: comment.state === 'pending' ? 'item_comments.pending' : 'item_comments.published',
              keyboard: { kind: 'inline', rows: [[listComments.button(target, 'item_comments.show')], [backToMenuButton()]] },
            },
          ],
          false,
        );
      },
    },
  },
};

/** Comments on news items and polls: writing one, reading the latest, reporting one. */
export const itemComments: BotFeature = {
  name: 'item-comments',
  flows: [commentFlow],
  actions: [writeComment, listComments, report],
};
