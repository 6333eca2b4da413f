import { getSubscriptions, setSubscription, TOPICS, type Topic } from '../../core/subscriptions/subscriptions.ts';
import { globalButton } from './buttons.ts';
import type { StepContext } from './flow.ts';
import { isRegistered, registrationRequired } from './registration-check.ts';
import { local, type View } from './view.ts';

/**
 * Subscriptions (/settings, "⚙️ Announcements" in the main menu): every topic with its state, a tap
 * flips it and redraws the screen in place. Global buttons: they work whatever the dialog state.
 */
export async function settingsScreen(c: StepContext): Promise<View[]> {
  if (!(await isRegistered(c))) return [await registrationRequired(c)];
  const choices = await getSubscriptions(c.db, c.resident.id);
  return [
    {
      key: 'settings.title',
      keyboard: {
        kind: 'inline',
        rows: TOPICS.map((topic) => [globalButton({ kind: 'topic', topic, on: !choices[topic] }, choices[topic] ? 'settings.on' : 'settings.off', { topic: local(`settings.topic_${topic}`) })]),
      },
    },
  ];
}

/** A tap on a topic: stores the choice and shows the screen again, replacing the tapped message. */
export async function setTopic(c: StepContext, topic: Topic, on: boolean): Promise<View[]> {
  if (!(await isRegistered(c))) return [await registrationRequired(c)];
  await setSubscription(c.db, c.resident.id, topic, on, c.now);
  return (await settingsScreen(c)).map((view) => ({ ...view, edit: true }));
}
