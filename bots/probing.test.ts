import { describe, expect, it } from 'vitest';
import { draftAnswer } from '../core/messages/answers.service.ts';
import { fileMessage } from '../core/messages/filing.service.ts';
import { CHATS, linkedOfficial, residentOf, type Chat, type MakeChat } from '../test/chats.ts';
import type { TestDatabase } from '../test/database.ts';
import { categoryId, KEMEROVO_CENTER } from '../test/residents.ts';
import { staffAct } from '../test/staff-actions.ts';
import { demoStaff, messageInWork } from '../test/staff.ts';
import { type BotHarness, botHarnessPerFile } from '../test/bots/harness.ts';
import { KEMEROVO } from '../test/bots/player.ts';
import { createTranslator } from './i18n.ts';

/**
 * Hand-made buttons aimed at someone else's message get exactly the answer a missing id gets, so
 * a resident (or an official) cannot learn which ids exist: same text, same prompt after it,
 * nothing changed. Both paths do the same lookups (one query by id) before they refuse.
 */
let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const MISSING = 2_147_480_000;

/** A registered resident with a solved (so rateable) unpublished message, and another registered resident. */
async function ownerAndProber(make: MakeChat): Promise<{ owner: Chat; prober: Chat; messageId: number }> {
  const owner = make(harness);
  await owner.register();
  const { message } = await fileMessage(
    db.db,
    { residentId: await residentOf(db.db, owner), categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма у подъезда', point: KEMEROVO_CENTER, channel: owner.channel },
    new Date(),
  );
  await staffAct(db.db, owner.channel, owner.externalId, 'accept', {});
  await staffAct(db.db, owner.channel, owner.externalId, 'final_solved', {});
  const prober = make(harness);
  await prober.register();
  return { owner, prober, messageId: message.id };
}

/** Everything a forged tap could change. */
const footprint = async (messageId: number) => ({
  rating: await db.db.selectFrom('rating').selectAll().where('message_id', '=', messageId).execute(),
  comments: await db.db.selectFrom('comment').select('id').where('message_id', '=', messageId).execute(),
  supports: await db.db.selectFrom('support').select('resident_id').where('message_id', '=', messageId).execute(),
  message: await db.db.selectFrom('message').select(['status', 'version']).where('id', '=', messageId).executeTakeFirstOrThrow(),
});
const stateOf = (chat: Chat) =>
  db.db.selectFrom('dialog_state').select(['flow', 'step', 'version', 'data']).where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirstOrThrow();

/** Taps `forge(id)` for the other resident's message and for a missing id: both answers must be the same. */
async function expectIndistinguishable(prober: Chat, messageId: number, forge: (id: number) => string, expectedFirst: string): Promise<void> {
  const before = { footprint: await footprint(messageId), state: await stateOf(prober) };
  const aimed = await prober.tap(forge(messageId));
  const missing = await prober.tap(forge(MISSING));
  expect(aimed[0], forge(messageId)).toBe(expectedFirst);
  expect(aimed, forge(messageId)).toEqual(missing);
  expect(await footprint(messageId)).toEqual(before.footprint);
  expect(await stateOf(prober)).toEqual(before.state);
}

describe.each(CHATS)("%s: forged buttons for another resident's message answer as for a missing one", (_, make) => {
  it('rating (high and low), opening the card, commenting', async () => {
    const { owner, prober, messageId } = await ownerAndProber(make);
    const notFound = t('ru', 'errors.MESSAGE_NOT_FOUND');
    await expectIndistinguishable(prober, messageId, (id) => `!r:${id}:5`, notFound);
    await expectIndistinguishable(prober, messageId, (id) => `!r:${id}:1`, notFound);
    await expectIndistinguishable(prober, messageId, (id) => `!o:${id}`, notFound);
    await expectIndistinguishable(prober, messageId, (id) => `!c:${id}`, notFound);
    // The owner's own tap still works.
    expect((await owner.tap(`!r:${messageId}:5`))[0]).toBe(t('ru', 'my.rated', { stars: 5 }));
  });

  it('"support instead" on the filing summary, for an unpublished message', async () => {
    const { prober, messageId } = await ownerAndProber(make);
    await prober.say('/new');
    await prober.press('Дороги');
    await prober.press('Ямы на дороге');
    await prober.say('Яма у соседнего подъезда.');
    await prober.sendLocation(KEMEROVO.lat, KEMEROVO.lon);
    await prober.press(t('ru', 'filing.skip_photos'));
    const { version } = await stateOf(prober);
    // The summary's own buttons carry the step version: the forgery uses the right one.
    await expectIndistinguishable(prober, messageId, (id) => `${version.toString(36)}:sup:${id}`, t('ru', 'errors.MESSAGE_NOT_FOUND'));
  });

  it("officials: another executor's answer button and another municipality's approve button", async () => {
    const kemerovo = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
    const novokuznetsk = await demoStaff(db.db, db.demo.municipalities.Novokuznetsk);
    const messageId = await messageInWork(db.db, { municipalityId: db.demo.municipalities.Kemerovo, acceptedAt: new Date() });
    const { answer } = await draftAnswer(db.db, { messageId, kind: 'intermediate', text: 'В работе.', actor: { kind: 'staff', staffId: kemerovo.executor } }, new Date());
    const otherExecutor = await linkedOfficial(db.db, make(harness), kemerovo.utilityExecutor, harness.now());
    await expectIndistinguishable(otherExecutor, messageId, (id) => `ans1:f:${id}`, t('ru', 'errors.MESSAGE_NOT_FOUND'));
    const otherCurator = await linkedOfficial(db.db, make(harness), novokuznetsk.curator, harness.now());
    const aimed = await otherCurator.tap(`apr1:a:${answer.id}`);
    expect(aimed[0]).toBe(t('ru', 'errors.ANSWER_NOT_FOUND'));
    expect(await otherCurator.tap(`apr1:a:${MISSING}`)).toEqual(aimed);
    expect((await db.db.selectFrom('answer').select('state').where('id', '=', answer.id).executeTakeFirstOrThrow()).state).toBe('draft');
  });
});
