import type { BotFeature } from '../../dialogs/feature.ts';
import { enter } from '../../dialogs/flow.ts';
import { commentAction, openAction, rateAction } from './actions.ts';
import { answerClarification, clarificationAttachment, clarificationStillAwaited } from './clarification.ts';
import { messagesFlow } from './flow.ts';

const list = () => enter(messagesFlow.name);

/**
 * My messages: the paged list, a message's card, comments, rating from the notification of the
 * final answer; free text answers a pending clarification request.
 */
export const myMessages: BotFeature = {
  name: 'my-messages',
  flows: [messagesFlow],
  commands: [{ name: 'my', description: 'commands.my', run: list }],
  menu: [{ id: 'my', label: 'menu.my', row: 20, run: list }],
  actions: [openAction, commentAction, rateAction],
  freeText: answerClarification,
  freeAttachment: clarificationAttachment,
  idleOther: clarificationStillAwaited,
};
