import { ANSWER_TAG, APPROVAL_TAG, decodeAlertAction, type AlertAction } from '../../../core/alerts/buttons.ts';
import type { ActionHandler, BotFeature } from '../../dialogs/feature.ts';
import { enter, reply } from '../../dialogs/flow.ts';
import { linkedOfficial, linkedStaff } from '../../dialogs/staff.ts';
import { alertButtonOutcome } from './alert-buttons.ts';
import { officialFlow } from './flow.ts';
import { staffLink } from './link.ts';
import { commentReplyAction } from './comment-reply.ts';
import { moderationAction } from './moderation.ts';
import { reopenAction } from './reopen.ts';

/** The alert cards' buttons: core writes their ids (core/alerts/buttons.ts), this feature answers them. */
const alertActions = [ANSWER_TAG, APPROVAL_TAG].map(
  (tag): ActionHandler<AlertAction> => ({ tag, asStaff: true, decode: (args) => decodeAlertAction(tag, args) ?? undefined, run: alertButtonOutcome }),
);

/**
 * Officials in the bot: `/start staff_<code>` links the account, alert buttons open the answer
 * and remark dialogs (or approve at once), /unlink removes the link. Every turn is in the
 * official's language.
 */
export const officials: BotFeature = {
  name: 'officials',
  flows: [officialFlow],
  commands: [
    {
      name: 'unlink',
      asStaff: true,
      run: async (c) => ((await linkedOfficial(c)) ? enter(officialFlow.name, { step: 'unlink' }) : reply([{ key: 'official.not_linked_account' }])),
    },
  ],
  actions: [...alertActions, commentReplyAction, moderationAction, reopenAction],
  deepLinks: [staffLink],
  idleHint: async (c) => ((await linkedStaff(c)) ? { key: 'official.idle_hint' } : undefined),
};
