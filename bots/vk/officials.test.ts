import { describe, expect, it } from 'vitest';
import { createLinkCode, staffStartPayload } from '../../core/staff/link-codes.ts';
import type { TestDatabase } from '../../test/database.ts';
import { demoStaff, operatorId } from '../../test/staff.ts';
import { BotHarness, botHarnessPerFile } from '../../test/telegram/harness.ts';
import { newVkUser, VkConversation } from '../../test/vk/conversation.ts';
import { createTranslator } from '../i18n.ts';

/** Staff linking in VK runs through the production deep-link handlers, as in Telegram. */
let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

describe('an official links VK with a code', () => {
  it('a typed "/start staff_<code>" links the VK account; the code works once', async () => {
    const curator = (await demoStaff(db.db, db.demo.municipalities.Kemerovo)).curator;
    const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId: curator }, harness.now());
    const official = new VkConversation(harness, newVkUser());
    await official.send({ type: 'message_new', object: { message: { text: `/start ${staffStartPayload(code)}` } } });
    const identity = await db.db.selectFrom('staff_identity').select(['staff_id', 'channel']).where('external_id', '=', String(official.user.id)).executeTakeFirst();
    expect(identity).toEqual({ staff_id: curator, channel: 'vk' });
    expect(official.replyTexts.join('\n')).toContain(t('ru', 'official.role_curator'));

    const stranger = new VkConversation(harness, newVkUser());
    await stranger.send({ type: 'message_new', object: { message: { text: `/start ${staffStartPayload(code)}` } } });
    expect(stranger.replyTexts.join('\n')).toContain(t('ru', 'errors.LINK_CODE_USED'));
    expect(await db.db.selectFrom('staff_identity').select('id').where('external_id', '=', String(stranger.user.id)).executeTakeFirst()).toBeUndefined();
  });
});
