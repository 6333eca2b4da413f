import { COMMENT_REPLY_TAG } from '../../../core/alerts/author-comments.ts';
import { authorizeCommentReply } from '../../../core/alerts/authorize-comment.ts';
import { positiveIdArg } from '../../../core/dialogs/action-id.ts';
import type { ActionHandler } from '../../dialogs/feature.ts';
import { goto, stay } from '../../dialogs/flow.ts';
import { linkedOfficial } from '../../dialogs/staff.ts';
import { MAX_ROW_ID } from '../../../core/db/types.ts';

/** `!cmr:<commentId>` on an author-comment alert: the official writes the reply in the bot (flow step comment_reply). */
export const commentReplyAction: ActionHandler<number> = {
  tag: COMMENT_REPLY_TAG,
  asStaff: true,
  decode: (args) => (args.length === 1 ? positiveIdArg(args[0], MAX_ROW_ID) : undefined),
  async run(c, commentId) {
    const staff = await linkedOfficial(c);
    if (!staff) return stay({ say: [{ key: 'official.not_linked' }] });
    const { messageId } = await authorizeCommentReply(c.db, staff.staffId, commentId);
    return goto('comment_reply', { flow: 'official', data: { commentId, messageId } });
  },
};
