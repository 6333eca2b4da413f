import { describe, expect, it } from 'vitest';
import { newsAnnouncement, type NewsItem } from '../../../core/news/news.service.ts';
import { createTranslator } from '../../i18n.ts';
import { MAX_TEXT, renderOutboxRow } from '../../telegram/render.ts';
import { renderVkNotificationRow, VK_LIMITS } from '../../vk/render.ts';

const t = createTranslator();

/** A long item: 40 paragraphs of about 300 characters (about 12 000 in all). */
const paragraphs = Array.from({ length: 40 }, (_, i) => `Абзац ${i + 1}. ${'Текст новости о благоустройстве двора и сроках работ. '.repeat(5).trim()}`);
const item: NewsItem = {
  id: 7,
  municipalityId: 1,
  state: 'published',
  title: 'Большая новость',
  body: paragraphs.join('\n\n'),
  categoryId: null,
  mediaIds: [],
  link: 'https://example.ru/news/7',
  pollId: null,
  publishAt: null,
  publishedAt: new Date(),
  archivedAt: null,
  editedAt: null,
  broadcastId: null,
  createdByStaffId: null,
  createdAt: new Date(),
  updatedAt: new Date(),
};
const payload = { ...newsAnnouncement(item), language: 'ru' };

describe('a long news item in the messengers', () => {
  it('Telegram: split at paragraph breaks within 4096 characters, nothing lost, the button on the last part', () => {
    const calls = renderOutboxRow({ kind: 'broadcast.news', chat_id: '1', payload }, t);
    const texts = calls.filter((c) => c.method === 'sendMessage').map((c) => (c.params as { text: string }).text);
    expect(texts.length).toBeGreaterThan(2);
    for (const text of texts) {
      expect([...text].length).toBeLessThanOrEqual(MAX_TEXT);
      // Every part ends where a paragraph (or the link) ends: no word or sentence is cut.
      expect(text.endsWith('.') || text.endsWith('/news/7')).toBe(true);
    }
    expect(texts.join('\n\n').replace(/\s+/g, ' ')).toBe(t('ru', 'news.broadcast', payload.params).replace(/\s+/g, ' '));
    const last = calls.at(-1)!.params as { reply_markup?: { inline_keyboard: unknown[][] } };
    expect(last.reply_markup?.inline_keyboard).toHaveLength(1);
  });

  it('VK: the same clean parts within its limit, the keyboard on the last message', () => {
    const messages = renderVkNotificationRow({ kind: 'broadcast.news', payload }, t);
    expect(messages.length).toBeGreaterThan(2);
    for (const m of messages) {
      expect([...String(m.message)].length).toBeLessThanOrEqual(VK_LIMITS.text);
      expect(String(m.message).endsWith('.') || String(m.message).endsWith('/news/7')).toBe(true);
    }
    expect(messages.at(-1)!.keyboard).toBeDefined();
    expect(messages[0]!.keyboard).toBeUndefined();
  });
});
