import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../features/registry.ts';
import { createTranslator } from '../i18n.ts';
import { commandMenu } from '../telegram/commands.ts';
import type { BotFeature } from './feature.ts';
import { reply, type Flow, type StepContext } from './flow.ts';
import { mainMenu } from './menu.ts';
import { createRegistry } from './registry.ts';

const t = createTranslator();
const features = createRegistry(FEATURES);
const flow = (name: string, first = 'a'): Flow => ({ name, first, needsRegistration: false, steps: { a: { accepts: ['text'], prompt: () => [], next: () => reply([]) } } });
const noop = () => reply([]);
/** Just enough of a dialog context for the menu: the features, the channel, and what `visible` may read. */
const contextOf = (registry = features, extra: Partial<StepContext> = {}) => ({ features: registry, from: { channel: 'tg', externalId: '1', chatId: '1' }, language: 'ru', ...extra }) as StepContext;
const menuIds = async (c: StepContext) => {
  const menu = await mainMenu(c);
  return menu.keyboard?.kind === 'inline' ? menu.keyboard.rows.map((row) => row.map((b) => b.id)) : [];
};

describe('the feature registry', () => {
  it('lays out the main menu from the entries\' rows and columns', async () => {
    expect(await menuIds(contextOf())).toEqual([['!m:file'], ['!m:my', '!m:nearby'], ['!m:news', '!m:events'], ['!m:polls', '!m:contests'], ['!m:privacy', '!m:language'], ['!m:link', '!m:notify', '!m:settings'], ['!m:help']]);
  });

  it('shows an entry only to whom its `visible` says, in its place', async () => {
    const campaign: BotFeature = { name: 'campaign', menu: [{ id: 'ask', label: 'menu.help', row: 25, visible: (c) => c.language === 'en', run: noop }] };
    const registry = createRegistry([...FEATURES, campaign]);
    expect((await menuIds(contextOf(registry))).flat()).not.toContain('!m:ask');
    expect((await menuIds(contextOf(registry, { language: 'en' })))[4]).toEqual(['!m:ask']);
  });

  it('pages the main menu where VK\'s keyboard is too small: every entry once, at most 6 rows and 10 buttons a page', async () => {
    const extra: BotFeature = {
      name: 'extra',
      menu: ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => ({ id: `x${id}`, label: 'menu.help', row: 21 + (i >> 1), column: i % 2, run: noop })),
    };
    const registry = createRegistry([...FEATURES, extra]);
    const vk = (page: number) => mainMenu(contextOf(registry, { from: { channel: 'vk', externalId: '1', chatId: '1' } }), page);
    const idsOf = (page: Awaited<ReturnType<typeof vk>>) => (page.keyboard?.kind === 'inline' ? page.keyboard.rows.map((row) => row.map((b) => b.id)) : []);
    // As many pages as the entries need: each but the last ends with "More" to the next one.
    const pages = [await vk(0)];
    while (idsOf(pages.at(-1)!).at(-1)!.includes(`!m:page:${pages.length}`) && pages.length < 10) pages.push(await vk(pages.length));
    const ids = pages.map(idsOf);
    expect(pages.length).toBeGreaterThan(1);
    for (const rows of ids) {
      expect(rows.length).toBeLessThanOrEqual(6);
      expect(rows.flat().length).toBeLessThanOrEqual(10);
    }
    expect(ids[0]!.at(-1)).toEqual(['!m:page:1']);
    expect(ids.at(-1)!.at(-1)).toEqual([`!m:page:${pages.length - 2}`]);
    const entries = ids.flat(2).filter((id) => !id.startsWith('!m:page:'));
    expect(entries.sort()).toEqual((await menuIds(contextOf(registry))).flat().sort());
    // Telegram keeps one page; an out-of-range page shows the last one.
    expect((await menuIds(contextOf(registry))).flat()).not.toContain('!m:page:1');
    expect((await vk(17)).keyboard).toEqual(pages.at(-1)!.keyboard);
  });

  it('gives the messenger its command menu in each language, in registry order', () => {
    expect(commandMenu(features, t, 'en')).toEqual([
      { command: 'start', description: 'Registration or the main menu' },
      { command: 'new', description: 'Report a problem' },
      { command: 'my', description: 'My messages, answers and ratings' },
      { command: 'privacy', description: 'My data and my consent to its processing' },
      { command: 'mydata', description: 'All the data stored about you' },
      { command: 'link', description: 'Link your other messenger (Telegram or VK)' },
      { command: 'notify', description: 'Where notifications go' },
      { command: 'settings', description: 'What to announce to you' },
      { command: 'menu', description: 'Main menu' },
      { command: 'language', description: 'Language' },
      { command: 'help', description: 'What the bot can do' },
      { command: 'cancel', description: 'Cancel the current action' },
      { command: 'news', description: 'News of your town and the region' },
      { command: 'events', description: 'Events today, this weekend and this week' },
      { command: 'polls', description: 'Polls and votes' },
      { command: 'ask', description: "A question for the head's direct line" },
      { command: 'contests', description: 'Contests: take part and vote' },
      { command: 'nearby', description: 'Problems near me' },
    ]);
    // Telegram: 1-256 characters each; commands without a description (/unlink) stay out of the menu.
    for (const language of ['ru', 'en'] as const) for (const c of commandMenu(features, t, language)) expect(c.description.length).toBeGreaterThan(0);
    expect(commandMenu(features, t, 'ru').map((c) => c.command)).not.toContain('unlink');
  });

  it('refuses two features claiming the same flow, command, command word, action tag, menu entry or an overlapping deep link, and the engine\'s own names', () => {
    const broken: [string, BotFeature[]][] = [
      ['flow "filing"', [{ name: 'x', flows: [flow('filing')] }]],
      ['flow "idle"', [{ name: 'x', flows: [flow('idle')] }]],
      ['command "new"', [{ name: 'x', commands: [{ name: 'new', run: noop }] }]],
      ['action tag "r"', [{ name: 'x', actions: [{ tag: 'r', decode: () => 1, run: noop }] }]],
      ['action tag "m"', [{ name: 'x', actions: [{ tag: 'm', decode: () => 1, run: noop }] }]],
      ['menu entry "file"', [{ name: 'x', menu: [{ id: 'file', label: 'menu.file', run: noop }] }]],
      ['overlaps "staff_"', [{ name: 'x', deepLinks: [{ prefix: 'staff', open: noop }] }]],
      ['feature "filing"', [{ name: 'filing' }]],
      ['missing step', [{ name: 'x', flows: [flow('y', 'nope')] }]],
      ['is not [a-z0-9_]', [{ name: 'x', commands: [{ name: 'New', run: noop }] }]],
      ['command word "помощь"', [{ name: 'x', commands: [{ name: 'assist', words: ['помощь'], run: noop }] }]],
      ['is not a lower-case word', [{ name: 'x', commands: [{ name: 'assist', words: ['Помощь'], run: noop }] }]],
    ];
    for (const [message, extra] of broken) expect(() => createRegistry([...FEATURES, ...extra]), message).toThrow(message);
  });

  it('the engine, the menu and the button scheme name no feature', () => {
    const names = [
      ...FEATURES.flatMap((f) => [f.name, ...(f.flows ?? []).map((x) => x.name), ...(f.commands ?? []).map((x) => x.name), ...(f.menu ?? []).map((x) => x.id), ...(f.actions ?? []).map((x) => x.tag)]),
      ...FEATURES.flatMap((f) => (f.deepLinks ?? []).map((x) => x.prefix)),
    ].filter((name) => name !== 'start'); // `/start <payload>` is the messengers' deep-link convention the engine implements
    for (const file of ['engine.ts', 'menu.ts', 'buttons.ts', 'idle.ts', 'registry.ts', 'flow.ts', 'state.ts']) {
      const source = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from '\.\.\/features\//);
      for (const name of new Set(names)) expect(source.includes(`'${name}'`), `${file} names '${name}'`).toBe(false);
    }
  });
});
