import { getSubscriptions, isTopic, SUBSCRIPTION_TAG, setSubscription, TOPICS, type Topic } from '../../../core/subscriptions/subscriptions.ts';
import { type Action, action, type BotFeature } from '../../dialogs/feature.ts';
import { reply, type StepContext } from '../../dialogs/flow.ts';
import { isRegistered, registrationRequired } from '../../dialogs/registration-check.ts';
import { local, type View } from '../../dialogs/view.ts';
import { backToMenuButton } from '../basics/back-to-menu.ts';

/** `!s:<topic>:<1|0>`: turn a topic on (1) or off (0). The wanted state is in the id, so a double tap is harmless. */
const toggle = action<{ topic: Topic; on: boolean }>({
  tag: 's',
  encode: ({ topic, on }) => [topic, on ? 1 : 0],
  decode: (args) => (args.length === 2 && isTopic(args[0]) && (args[1] === '1' || args[1] === '0') ? { topic: args[0], on: args[1] === '1' } : undefined),
  async run(c, { topic, on }) {
    if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
    await setSubscription(c.db, c.resident.id, topic, on, c.now);
    // The screen is redrawn in place (the message whose button was pressed).
    return reply([{ ...(await settingsView(c)), edit: true }]);
  },
});

/**
 * `!so:<topic>:<1|0>`: the one-tap switch under an announcement (core/subscriptions unsubscribeRow).
 * Off: says what was turned off and how to turn it back on (a button here, or /settings); the
 * announcement itself stays as it is. On (that button): says it is back.
 */
const fromAnnouncement: Action<{ topic: Topic; on: boolean }> = action({
  tag: SUBSCRIPTION_TAG,
  encode: ({ topic, on }) => [topic, on ? 1 : 0],
  decode: toggle.decode,
  async run(c, { topic, on }) {
    if (!(await isRegistered(c))) return reply([await registrationRequired(c)]);
    await setSubscription(c.db, c.resident.id, topic, on, c.now);
    const params = { topic: local(`settings.topic_${topic}`) };
    if (on) return reply([{ key: 'settings.resubscribed', params }]);
    return reply([{ key: 'settings.unsubscribed', params, keyboard: { kind: 'inline', rows: [[fromAnnouncement.button({ topic, on: true }, 'settings.resubscribe', params)]] } }]);
  },
});

/** The settings screen: every topic with its state (a tap flips it), and the way back to the menu. */
async function settingsView(c: StepContext): Promise<View> {
  const choices = await getSubscriptions(c.db, c.resident.id);
  const topics = TOPICS.map((topic) => toggle.button({ topic, on: !choices[topic] }, choices[topic] ? 'settings.on' : 'settings.off', { topic: local(`settings.topic_${topic}`) }));
  // One topic a row; in VK two, as its inline keyboard has six rows and the menu needs one.
  const perRow = c.from.channel === 'vk' ? 2 : 1;
  const rows = Array.from({ length: Math.ceil(topics.length / perRow) }, (_, i) => topics.slice(i * perRow, (i + 1) * perRow));
  return { key: 'settings.title', keyboard: { kind: 'inline', rows: [...rows, [backToMenuButton()]] } };
}

const show = async (c: StepContext) => ((await isRegistered(c)) ? reply([await settingsView(c)]) : reply([await registrationRequired(c)]));

/** Subscriptions: which announcements (polls, contests, news, events, the direct line) a resident gets; /settings, and the main menu beside the notification settings. */
export const settings: BotFeature = {
  name: 'settings',
  commands: [{ name: 'settings', description: 'commands.settings', run: show }],
  menu: [{ id: 'settings', label: 'menu.settings', row: 40, column: 2, run: show }],
  actions: [toggle, fromAnnouncement],
};
