import type { BotFeature, Run } from '../../dialogs/feature.ts';
import { enter, reply } from '../../dialogs/flow.ts';
import { MY_DATA_ENTRY, myDataView, privacyFlow } from './flow.ts';

const open = () => enter(privacyFlow.name);
const myData: Run = async (c) => reply([await myDataView(c)]);

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
  ],
};
