import { createResidentLinkCode, linkedChannels, linkIdentityByCode, RESIDENT_LINK_CODE_TTL_MINUTES } from '../../core/residents/identity-link.ts';
import { getResident, updateResident } from '../../core/residents/resident.repository.ts';
import { globalButton, type NotifyChoice } from './buttons.ts';
import type { StepContext } from './flow.ts';
import { otherMessenger } from './menu.ts';
import { isRegistered, registrationRequired } from './registration-check.ts';
import { local, type View } from './view.ts';

/**
 * One resident, two messengers. `/link` (or the menu's "Link VK/Telegram") shows a one-time code;
 * `/link <code>` in the other messenger joins that identity to the same resident (core merges
 * whatever the second identity already had). Afterwards both chats see the same messages.
 */
export async function linkCommand(c: StepContext, code: string | undefined): Promise<View[]> {
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
  if (channels.includes('tg') && channels.includes('vk')) return [{ key: 'dialog.link_all_linked' }];
  const issued = await createResidentLinkCode(c.db, c.resident.id, c.from.channel, c.now);
  return [{ key: 'dialog.link_code', params: { code: issued.code, other: otherMessenger(c.from.channel), minutes: RESIDENT_LINK_CODE_TTL_MINUTES } }];
}

const NOTIFY_LABELS: Record<NotifyChoice, string> = { tg: 'dialog.notify_tg', vk: 'dialog.notify_vk', last: 'dialog.notify_last' };

/** Where notifications go: Telegram, VK, or wherever the resident wrote last (`resident.notify_channel` null). */
export async function notifyChoice(c: StepContext): Promise<View[]> {
  if (!(await isRegistered(c))) return [await registrationRequired(c)];
  const current: NotifyChoice = c.resident.notifyChannel ?? 'last';
  const choices: NotifyChoice[] = ['tg', 'vk', 'last'];
  return [
    {
      key: 'dialog.notify_choose',
      params: { current: local(NOTIFY_LABELS[current]) },
      keyboard: { kind: 'inline', rows: choices.map((choice) => [globalButton({ kind: 'notify', channel: choice }, NOTIFY_LABELS[choice])]) },
    },
  ];
}

export async function setNotifyChannel(c: StepContext, choice: NotifyChoice): Promise<View[]> {
  if (!(await isRegistered(c))) return [await registrationRequired(c)];
  await updateResident(c.db, c.resident.id, { notifyChannel: choice === 'last' ? null : choice });
  return [{ key: 'dialog.notify_set', params: { where: local(NOTIFY_LABELS[choice]) } }];
}
