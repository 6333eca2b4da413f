import type { BotFeature } from '../../dialogs/feature.ts';
import { enter } from '../../dialogs/flow.ts';
import { nearbyFlow } from './flow.ts';

const open = () => enter(nearbyFlow.name);

/** "Problems near me": /nearby or the menu entry (row 20, next to "My messages"). */
export const nearby: BotFeature = {
  name: 'nearby',
  flows: [nearbyFlow],
  commands: [{ name: 'nearby', description: 'commands.nearby', run: open }],
  menu: [{ id: 'nearby', label: 'menu.nearby', row: 20, column: 1, run: open }],
};
