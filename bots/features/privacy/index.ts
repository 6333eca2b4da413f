import type { BotFeature } from '../../dialogs/feature.ts';
import { enter } from '../../dialogs/flow.ts';
import { privacyFlow } from './flow.ts';

const open = () => enter(privacyFlow.name);

/** /privacy: what is stored about the resident, and withdrawal of consent. */
export const privacy: BotFeature = {
  name: 'privacy',
  flows: [privacyFlow],
  commands: [{ name: 'privacy', description: 'commands.privacy', run: open }],
  menu: [{ id: 'privacy', label: 'menu.privacy', row: 30, column: 0, run: open }],
};
