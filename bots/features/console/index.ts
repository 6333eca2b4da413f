import { issueLoginCode, LOGIN_CODE_TTL_MS } from '../../../core/console/sessions.ts';
import type { BotFeature } from '../../dialogs/feature.ts';
import { reply } from '../../dialogs/flow.ts';
import { linkedOfficial } from '../../dialogs/staff.ts';

/**
 * `/login` for a linked official: a one-time code (10 minutes) to type into the web console's
 * sign-in page. The code goes only to the messenger account linked to that official, which is
 * what makes it a second factor; nothing else about the session passes through the chat.
 */
export const consoleLogin: BotFeature = {
  name: 'console',
  commands: [
    {
      name: 'login',
      asStaff: true,
      async run(c) {
        const staff = await linkedOfficial(c);
        if (!staff) return reply([{ key: 'official.not_linked_account' }]);
        const { code } = await issueLoginCode(c.db, staff.staffId, c.now);
        return reply([{ key: 'console.login_code', params: { code, minutes: LOGIN_CODE_TTL_MS / 60_000 } }]);
      },
    },
  ],
};
