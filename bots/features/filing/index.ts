import type { BotFeature } from '../../dialogs/feature.ts';
import { enter } from '../../dialogs/flow.ts';
import { fileAtPlace, fileWithPhoto, filingFlow } from './flow.ts';
import { fileTextAction, offerFiling } from './text-offer.ts';

const file = () => enter(filingFlow.name);

/**
 * Filing a message: /new or "📝 File a message" in the menu, a place or a photo sent between flows,
 * or the button offered under a problem described in words between flows.
 */
export const filing: BotFeature = {
  name: 'filing',
  flows: [filingFlow],
  commands: [{ name: 'new', description: 'commands.new', run: file }],
  menu: [{ id: 'file', label: 'menu.file', row: 10, run: file }],
  actions: [fileTextAction],
  textOffer: offerFiling,
  idleLocation: fileAtPlace,
  idlePhoto: fileWithPhoto,
};
