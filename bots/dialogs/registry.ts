import type { ActionHandler, BotFeature, Command, DeepLink, MenuEntry } from './feature.ts';
import type { Flow } from './flow.ts';

/** The tag of main-menu buttons (`!m:<entry id>`), answered by the engine from the registered entries. */
export const MENU_TAG = 'm';
/** The engine's own resting flow. */
export const IDLE_FLOW = 'idle';

const COMMAND_NAME = /^[a-z0-9_]{1,32}$/;
const TAG = /^[a-z][a-z0-9]{0,7}$/;
const MENU_ID = /^[a-z0-9_]{1,32}$/;

/** The registered features, indexed; built once at start (createRegistry) and handed to the engine. */
export interface Features {
  readonly list: readonly BotFeature[];
  flow(name: string): Flow | undefined;
  command(name: string): Command | undefined;
  /** The command a text typed between flows stands for (Command.words), if it is one of those words. */
  commandWord(text: string): Command | undefined;
  action(tag: string): ActionHandler | undefined;
  menuEntry(id: string): MenuEntry | undefined;
  /** Main-menu entries in rows, in order (before each entry's `visible`). */
  readonly menuRows: readonly (readonly MenuEntry[])[];
  /** The deep link whose prefix starts `payload`, with the rest. */
  deepLink(payload: string): { link: DeepLink; rest: string } | undefined;
  /** Commands with a description and listed (Command.listed), in registry order: /help and the messenger's command menu. */
  readonly described: readonly (Command & { description: string })[];
}

/**
 * Indexes the features and refuses a broken set at start: duplicate flow names, commands, action
 * tags, menu ids or deep-link prefixes (also one prefix starting another), malformed names, a
 * flow whose first step is missing.
 */
export function createRegistry(features: readonly BotFeature[]): Features {
  const flows = new Map<string, Flow>();
  const commands = new Map<string, Command>();
  const words = new Map<string, Command>();
  const actions = new Map<string, ActionHandler>();
  const menu = new Map<string, MenuEntry>();
  const links: DeepLink[] = [];
  const owner = new Map<string, string>();
  const claim = (what: string, name: string, feature: BotFeature) => {
    const key = `${what} "${name}"`;
    const previous = owner.get(key);
    if (previous !== undefined) throw new Error(`bot features "${previous}" and "${feature.name}" both declare the ${key}`);
    owner.set(key, feature.name);
  };
  claim('feature', '', { name: '(engine)' });
  claim('flow', IDLE_FLOW, { name: '(engine)' });
  claim('action tag', MENU_TAG, { name: '(engine)' });

  for (const feature of features) {
    claim('feature', feature.name, feature);
    for (const flow of feature.flows ?? []) {
      claim('flow', flow.name, feature);
      if (!Object.hasOwn(flow.steps, flow.first)) throw new Error(`flow "${flow.name}" of "${feature.name}" starts at a missing step "${flow.first}"`);
      flows.set(flow.name, flow);
    }
    for (const command of feature.commands ?? []) {
      if (!COMMAND_NAME.test(command.name)) throw new Error(`command "${command.name}" of "${feature.name}" is not [a-z0-9_]{1,32}`);
      claim('command', command.name, feature);
      commands.set(command.name, command);
      for (const word of command.words ?? []) {
        if (word !== word.trim().toLowerCase() || word.length === 0) throw new Error(`word "${word}" of command "${command.name}" is not a lower-case word`);
        claim('command word', word, feature);
        words.set(word, command);
      }
    }
    for (const handler of feature.actions ?? []) {
      if (!TAG.test(handler.tag)) throw new Error(`action tag "${handler.tag}" of "${feature.name}" is not [a-z][a-z0-9]{0,7}`);
      claim('action tag', handler.tag, feature);
      actions.set(handler.tag, handler);
    }
    for (const entry of feature.menu ?? []) {
      if (!MENU_ID.test(entry.id)) throw new Error(`menu entry "${entry.id}" of "${feature.name}" is not [a-z0-9_]{1,32}`);
      claim('menu entry', entry.id, feature);
      menu.set(entry.id, entry);
    }
    for (const link of feature.deepLinks ?? []) {
      const overlapping = links.find((l) => l.prefix.startsWith(link.prefix) || link.prefix.startsWith(l.prefix));
      if (link.prefix.length === 0 || overlapping) throw new Error(`deep-link prefix "${link.prefix}" of "${feature.name}" is empty or overlaps "${overlapping?.prefix}"`);
      links.push(link);
    }
  }

  const rows = Map.groupBy(
    [...menu.values()].filter((entry) => entry.row !== undefined),
    (entry) => entry.row!,
  );
  const menuRows = [...rows.entries()].sort(([a], [b]) => a - b).map(([, entries]) => entries.sort((a, b) => (a.column ?? 0) - (b.column ?? 0)));

  const describedCommands = [...commands.values()].filter((c): c is Command & { description: string } => c.description !== undefined);
  return {
    list: features,
    flow: (name) => flows.get(name),
    command: (name) => commands.get(name),
    commandWord: (text) =>
      words.get(
        text
          .trim()
          .toLowerCase()
          .replace(/[\s!.]+$/u, ''),
      ),
    action: (tag) => actions.get(tag),
    menuEntry: (id) => menu.get(id),
    menuRows,
    deepLink(payload) {
      const link = links.find((l) => payload.startsWith(l.prefix));
      return link ? { link, rest: payload.slice(link.prefix.length) } : undefined;
    },
    // Read when listed (/help, the command menu at start): a command may be unlisted by the app's settings.
    get described() {
      return describedCommands.filter((c) => c.listed?.() ?? true);
    },
  };
}
