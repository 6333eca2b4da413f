import type { BotFeature } from '../dialogs/feature.ts';
import { basics } from './basics/index.ts';
import { consoleLogin } from './console/index.ts';
import { filing } from './filing/index.ts';
import { linking } from './linking/index.ts';
import { myMessages } from './my-messages/index.ts';
import { nearby } from './nearby/index.ts';
import { officials } from './officials/index.ts';
import { privacy } from './privacy/index.ts';
import { registration } from './registration/index.ts';
import { settings } from './settings/index.ts';
import { news } from './news/index.ts';
import { events } from './events/index.ts';
import { itemComments } from './item-comments/index.ts';
import { polls } from './polls/index.ts';
import { contests } from './contests/index.ts';
import { kpi } from './kpi/index.ts';

/**
 * Every bot feature, one line each (README: "How to add a bot feature"). The order is the order
 * of the command menu and of the free-text and idle-hint hooks; the main menu orders itself by
 * each entry's row and column.
 */
export const FEATURES: readonly BotFeature[] = [
  registration,
  filing,
  myMessages,
  privacy,
  linking,
  settings,
  basics,
  officials,
  news,
  events,
  itemComments,
  consoleLogin,
  polls,
  contests,
  kpi,
  nearby,
];
