import { describe, expect, it } from 'vitest';
import { newChat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../test/bots/harness.ts';
import { CHANNELS, press } from '../../test/bots/player.ts';
import { createTranslator } from '../i18n.ts';

let harness: BotHarness;
const t = createTranslator();
/**
 * The sender polls seldom here (as a quiet production instance may: OUTBOX_POLL_MS): a held
 * reply that waited for the poll after its hold would come seconds late, not at the hold's end.
 */
const POLL_MS = 20_000;
botHarnessPerFile(
  (_db, started) => {
    harness = started;
  },
  { env: { OUTBOX_POLL_MS: String(POLL_MS) } },
);

/** A description of 3500 characters: long enough to be the first piece of a split text, so its answer is held 2 s. */
const LONG_DESCRIPTION = `Яма у вокзала, глубокая. ${'Асфальт разрушен по всей ширине проезжей части. '.repeat(70)}`.slice(0, 3500).trim();

/** When the messenger's fake got the chat's first text call at or after `since`. */
function firstTextAt(channel: (typeof CHANNELS)[number], chatId: string, since: number): number | undefined {
  const calls =
    channel === 'tg'
      ? harness.fake.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === chatId)
      : harness.vkFake.calls.filter((c) => c.method === 'messages.send' && String(c.params.peer_id) === chatId);
  return calls.find((c) => c.at >= since)?.at;
}

describe.each(CHANNELS)("%s: a held answer goes out when its hold ends, not at the sender's next poll", (channel) => {
  it('a 3500-character description taken: the place is asked 2 s later (the hold for a next piece), not seconds more', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    expect(LONG_DESCRIPTION.length).toBeGreaterThanOrEqual(3000);
    const started = Date.now();
    await chat.say(LONG_DESCRIPTION);
    expect(chat.replyTexts).toEqual([t('ru', channel === 'vk' ? 'filing.location_vk' : 'filing.location')]);
    const late = firstTextAt(channel, chat.externalId, started)! - started;
    // Held back the 2 s a next piece may take it back in; then sent at once (the sender is kicked at the hold's end).
    expect(late).toBeGreaterThanOrEqual(1900);
    expect(late).toBeLessThan(3000);
  });

  it('a short description is answered at once', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    const started = Date.now();
    await chat.say('Яма у вокзала, глубокая.');
    expect(chat.replyTexts).toEqual([t('ru', channel === 'vk' ? 'filing.location_vk' : 'filing.location')]);
    expect(firstTextAt(channel, chat.externalId, started)! - started).toBeLessThan(1000);
  });
});
