import { hasLiveConsent } from '../../../core/residents/consent.service.ts';
import type { BotFeature, Run } from '../../dialogs/feature.ts';
import { enter, reply } from '../../dialogs/flow.ts';
import { MY_DATA_ENTRY, myDataView, privacyFlow, storedDataView, WITHDRAW_ENTRY } from './flow.ts';

/** The screen is a reply: the dialog stays where it was (after it, /news or a tap elsewhere does not bring it back). */
const open: Run = async (c) => reply([await storedDataView(c)]);
const myData: Run = async (c) => reply([await myDataView(c)]);
/** "Withdraw consent": the confirmation; without a live consent (withdrawn meanwhile) the screen as it is now. */
const withdraw: Run = async (c) => ((await hasLiveConsent(c.db, c.resident.id)) ? enter(privacyFlow.name, { step: 'confirm' }) : open(c));

/** /privacy: what is stored about the resident, and withdrawal of consent; /mydata: all of it. */
export const privacy: BotFeature = {
  name: 'privacy',
  flows: [privacyFlow],
  commands: [
    { name: 'privacy', description: 'commands.privacy', run: open },
    { name: 'mydata', description: 'commands.mydata', run: myData },
  ],
  menu: [
    { id: 'privacy', label: 'menu.privacy', row: 30, column: 0, run: open },
    // Not in the main menu itself: the "all my data" button of the /privacy screen.
    { id: MY_DATA_ENTRY, label: 'privacy.all_data', run: myData },
    { id: WITHDRAW_ENTRY, label: 'privacy.withdraw', run: withdraw },
  ],
};
