import type { Channel } from '../../../core/db/types.ts';
import { createResidentLinkCode, linkedChannels, linkIdentityByCode, RESIDENT_LINK_CODE_TTL_MINUTES } from '../../../core/residents/identity-link.ts';
import { getResident, updateResident } from '../../../core/residents/resident.repository.ts';
import { action, type BotFeature } from '../../dialogs/feature.ts';
import { end, reply, type StepContext } from '../../dialogs/flow.ts';
import { isRegistered, registrationRequired } from '../../dialogs/registration-check.ts';
import { local, type View } from '../../dialogs/view.ts';
import { backToMenuButton } from '../basics/back-to-menu.ts';

/** The messenger other than `channel` (the one a resident may link from here). */
const otherChannel = (channel: Channel): Channel => (channel === 'tg' ? 'vk' : 'tg');
/** The name of the messenger other than `channel`. */
const otherMessenger = (channel: Channel) => local(otherChannel(channel) === 'vk' ? 'menu.messenger_vk' : 'menu.messenger_tg');

/** Which messengers' bots run (TELEGRAM_BOT_TOKEN, VK_GROUP_TOKEN), given once at start by app.ts; both until then. */
let running: Record<Channel, boolean> = { tg: true, vk: true };

export function provideMessengers(on: Record<Channel, boolean>): void {
  running = { ...on };
}

/** Whether the bot runs in the other messenger: without it there is nothing to link, nowhere else to notify. */
const otherRuns = (c: StepContext) => running[otherChannel(c.from.channel)];

/** The bot runs in this messenger alone: notifications come here (nothing to choose, nothing to link). */
const onlyMessengerRunning: View = { key: 'dialog.notify_only_messenger' };

/** A screen of this feature (the code, the notification choice) with the way back to the menu, as other screens have. */
const screen = (view: View): View => ({ ...view, keyboard: { kind: 'inline', rows: [...(view.keyboard?.kind === 'inline' ? view.keyboard.rows : []), [backToMenuButton()]] } });

/**
 * `/link` (or the menu's "Link VK/Telegram") shows a one-time code; `/link <code>` in the other
 * messenger joins that identity to the same resident (core merges whatever the second identity
 * already had). Afterwards both chats see the same messages.
 */
async function linkCommand(c: StepContext, code: string | undefined): Promise<View[]> {
  if (code) {
    const result = await linkIdentityByCode(c.db, code, { channel: c.from.channel, externalId: c.from.externalId }, c.now);
    const resident = await getResident(c.db, result.residentId);
    c.resident = resident;
    c.language = resident.language;
    if (result.alreadyLinked) return [{ key: 'dialog.link_already' }];
    return [{ key: 'dialog.link_done', params: { other: otherMessenger(c.from.channel) } }];
  }
  if (!(await isRegistered(c))) return [await registrationRequired(c)];
  const channels = await linkedChannels(c.db, c.resident.id);
  if (channels.includes('tg') && channels.includes('vk')) return [screen({ key: 'dialog.link_all_linked' })];
  if (!otherRuns(c)) return [screen({ key: 'dialog.link_other_off' })];
  const issued = await createResidentLinkCode(c.db, c.resident.id, c.from.channel, c.now);
  return [screen({ key: 'dialog.link_code', params: { code: issued.code, other: otherMessenger(c.from.channel), minutes: RESIDENT_LINK_CODE_TTL_MINUTES } })];
}

/** Where notifications go: one messenger, or `last` (where the resident wrote last: `resident.notify_channel` null). */
type NotifyChoice = 'tg' | 'vk' | 'last';
const NOTIFY_LABELS: Record<NotifyChoice, string> = { tg: 'dialog.notify_tg', vk: 'dialog.notify_vk', last: 'dialog.notify_last' };
/** The same choice inside a sentence ("notifications will come …"): the button labels read as answers, not as part of one. */
const NOTIFY_WHERE: Record<NotifyChoice, string> = { tg: 'dialog.notify_where_tg', vk: 'dialog.notify_where_vk', last: 'dialog.notify_where_last' };

/**
 * With one messenger linked there is nothing to choose: notifications come to this chat, and the
 * other messenger must be linked first (a choice of a messenger without an account would be saved
 * and never used).
 */
const onlyThisMessenger = (c: StepContext): View => ({ key: 'dialog.notify_only_here', params: { other: otherMessenger(c.from.channel) } });

/** `!n:<tg|vk|last>`: send notifications there. */
const notifyAction = action<NotifyChoice>({
  tag: 'n',
  encode: (choice) => [choice],
  decode: (args) => (args.length === 1 && Object.hasOwn(NOTIFY_LABELS, args[0]!) ? (args[0] as NotifyChoice) : undefined),
  async run(c, choice) {
    if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
    if (choice !== 'last' && !running[choice]) return reply([onlyMessengerRunning]);
    if (choice !== 'last' && !(await linkedChannels(c.db, c.resident.id)).includes(choice)) return reply([onlyThisMessenger(c)]);
    await updateResident(c.db, c.resident.id, { notifyChannel: choice === 'last' ? null : choice });
    return reply([{ key: 'dialog.notify_set', params: { where: local(NOTIFY_WHERE[choice]) } }]);
  },
});

async function notifyChoice(c: StepContext): Promise<View[]> {
  if (!(await isRegistered(c))) return [await registrationRequired(c)];
  if (!otherRuns(c)) return [screen(onlyMessengerRunning)];
  if ((await linkedChannels(c.db, c.resident.id)).length < 2) return [screen(onlyThisMessenger(c))];
  const current: NotifyChoice = c.resident.notifyChannel ?? 'last';
  const choices: NotifyChoice[] = ['tg', 'vk', 'last'];
  return [
    screen({
      key: 'dialog.notify_choose',
      params: { current: local(NOTIFY_WHERE[current]) },
      keyboard: { kind: 'inline', rows: choices.map((choice) => [notifyAction.button(choice, NOTIFY_LABELS[choice])]) },
    }),
  ];
}

const showCode = async (c: StepContext) => reply(await linkCommand(c, undefined));
const showNotify = async (c: StepContext) => reply(await notifyChoice(c));

/** One resident, two messengers: linking Telegram and VK, and where notifications go (/notify). */
export const linking: BotFeature = {
  name: 'linking',
  commands: [
    // Linking may replace the resident behind this chat: the menu shown is the one of the resident it joined.
    // Listed only with both bots on: with one, there is nothing to link.
    { name: 'link', description: 'commands.link', listed: () => running.tg && running.vk, run: async (c, code) => (code ? end(await linkCommand(c, code)) : showCode(c)) },
    { name: 'notify', description: 'commands.notify', run: showNotify },
  ],
  menu: [
    { id: 'link', label: 'menu.link', labelParams: (c) => ({ other: otherMessenger(c.from.channel) }), visible: otherRuns, row: 40, column: 0, run: showCode },
    { id: 'notify', label: 'menu.notify', row: 40, column: 1, run: showNotify },
  ],
  actions: [notifyAction],
};
