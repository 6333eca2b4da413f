import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../core/access/permissions.ts';
// @ts-expect-error a plain ES module of the console's client, without types
import { PAGE_PERMISSION, ROLES } from './static/access.js';
// @ts-expect-error a plain ES module of the console's client, without types
import { AUDIT_ACTIONS, RETIRED_AUDIT_ACTIONS } from './static/audit-actions.js';
// @ts-expect-error a plain ES module of the console's client, without types
import { JOB_NAMES } from './static/pages/admin.js';

/** The console's nav hides the pages a role may not use: its copy of the roles must be the API's. */
describe("the console's role table", () => {
  it('names every permission with exactly the roles of core/access/permissions.ts', () => {
    for (const [permission, roles] of Object.entries(ROLES as Record<string, string[]>)) {
      expect(PERMISSIONS[permission as keyof typeof PERMISSIONS], permission).toBeDefined();
      expect([...roles].sort(), permission).toEqual([...PERMISSIONS[permission as keyof typeof PERMISSIONS]].sort());
    }
    for (const permission of Object.values(PAGE_PERMISSION as Record<string, string>)) expect(Object.keys(ROLES)).toContain(permission);
  });
});

describe("the console's texts", () => {
  it('every literal t() key of the client exists in Russian and English', () => {
    const dir = path.join(import.meta.dirname, 'static');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    const keys = new Set(files.flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/\bt\('([\w.-]+)'/g)].map((m) => m[1]!)));
    expect(keys.size).toBeGreaterThan(50);
    for (const lang of ['ru', 'en']) {
      const texts = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'locales', lang, 'console.json'), 'utf8'));
      const missing = [...keys].filter((key) => typeof key.split('.').reduce((node, part) => node?.[part], texts) !== 'string');
      expect(missing, lang).toEqual([]);
    }
  });
});

describe("the console's refusals", () => {
  it('names only codes the API answers, in Russian and English alike', async () => {
    const { DETAILS } = await import('../api/problem-detail.ts');
    const codes = (lang: string) => Object.keys(JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'locales', lang, 'console.json'), 'utf8')).error.code);
    expect(codes('en')).toEqual(codes('ru'));
    for (const code of codes('ru')) expect(DETAILS[code], code).toBeDefined();
  });
});

/**
 * The audit actions the code writes: every string literal of the form `a.b` given as an audit
 * entry's `action` (`action: 'message.accept'`, `action: created ? 'incident.create' : …`,
 * `const action = … ? 'news.edit_published' : 'news.update'`) in the files that write audit
 * entries: the admin API's routes, the officials' bot, Open311.
 */
function writtenAuditActions(): Set<string> {
  const root = path.join(import.meta.dirname, '..', '..');
  const sources = ['http/api/routes', 'bots/features/officials', 'core/open311'].flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => readFileSync(path.join(root, dir, f), 'utf8')),
  );
  const codes = new Set<string>();
  // A file that writes audit entries, or a moderation route whose action answerMessageWrite audits.
  for (const source of sources.filter((s) => /\baudit|answerMessageWrite/i.test(s))) {
    for (const [, expression] of source.matchAll(/\baction\s*(?::|=(?!=))\s*([^,;\n]+)/g)) {
      for (const [, code] of expression!.matchAll(/'([a-z0-9_]+(?:\.[a-z0-9_]+)+)'/g)) codes.add(code!);
    }
  }
  return codes;
}

describe("the audit log's actions", () => {
  const texts = (lang: string) => JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'locales', lang, 'console.json'), 'utf8'));
  const phrase = (lang: string, code: string) => `audit.actions.${code}`.split('.').reduce((node, part) => node?.[part], texts(lang));

  it('finds the codes the API writes, those of ternaries and of the bot and Open311 too', () => {
    const written = writtenAuditActions();
    for (const code of ['message.accept', 'kpi.placement.create', 'incident.create_repeat', 'news.edit_published', 'poll.publish_results', 'kpi_group.create', 'open311.post']) {
      expect(written, code).toContain(code);
    }
    expect(written.size).toBeGreaterThanOrEqual(80);
  });

  it('every code written has a phrase in Russian and English, and the console offers exactly those codes', () => {
    const written = [...writtenAuditActions()].sort();
    expect([...(AUDIT_ACTIONS as string[])].sort()).toEqual(written);
    for (const lang of ['ru', 'en']) {
      const missing = [...written, ...(RETIRED_AUDIT_ACTIONS as string[])].filter((code) => typeof phrase(lang, code) !== 'string' || phrase(lang, code).trim() === '');
      expect(missing, lang).toEqual([]);
    }
  });

  it('the phrases name no code the platform does not write, but for the retired ones older entries carry', () => {
    const written = writtenAuditActions();
    // The bot and the API write one code for one change: the bot's old `message.category` is retired.
    expect(written).not.toContain('message.category');
    for (const code of RETIRED_AUDIT_ACTIONS as string[]) {
      expect(written, code).not.toContain(code);
      written.add(code);
    }
    const leaves = (node: Record<string, unknown>, prefix: string[] = []): string[] =>
      Object.entries(node).flatMap(([k, v]) => (typeof v === 'string' ? [[...prefix, k].join('.')] : leaves(v as Record<string, unknown>, [...prefix, k])));
    for (const lang of ['ru', 'en'])
      expect(
        leaves(texts(lang).audit.actions).filter((code) => !written.has(code)),
        lang,
      ).toEqual([]);
  });
});

describe("the cron jobs' page", () => {
  it('offers exactly the jobs of cron/jobs.ts, each named in Russian and English', async () => {
    const { JOBS } = await import('../../cron/jobs.ts');
    expect([...(JOB_NAMES as string[])].sort()).toEqual(
      Object.values(JOBS)
        .map((j) => j.name)
        .sort(),
    );
    for (const lang of ['ru', 'en']) {
      const names = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'locales', lang, 'console.json'), 'utf8')).jobs.names;
      expect(Object.keys(names).sort(), lang).toEqual([...(JOB_NAMES as string[])].sort());
    }
  });
});

/**
 * The kinds of outbox rows the code queues: every `kind: 'a.b'` literal of the sources (notifications,
 * alerts, digests, mailings), and those built at run time: a direct reply (REPLY_KIND), an answer's
 * `answer.<kind>`, a KPI alert's `alert.kpi_<status>`, the supporters' `follow.*` (notifySupporters).
 */
async function queuedOutboxKinds(): Promise<Set<string>> {
  const { REPLY_KIND } = await import('../../bots/outbox/reply.ts');
  const { WALL_COMMENT_KIND } = await import('../../core/incidents/publish.ts');
  const root = path.join(import.meta.dirname, '..', '..');
  const kinds = new Set<string>([REPLY_KIND, WALL_COMMENT_KIND, 'answer.intermediate', 'answer.final', 'answer.clarification', 'alert.kpi_at_risk', 'alert.kpi_missed']);
  for (const dir of ['core', 'bots', 'http/api/routes', 'cron']) {
    // Test data (a `tests/` folder) queues nothing of its own.
    const files = readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.split(path.sep).includes('tests'));
    for (const file of files) {
      const source = readFileSync(path.join(root, dir, file), 'utf8');
      for (const [, kind] of source.matchAll(/\bkind: '([a-z_]+\.[a-z_.]+)'/g)) kinds.add(kind!);
      for (const [, kind] of source.matchAll(/notifySupporters\([^;]*'([a-z_]+\.[a-z_]+)'\);/g)) kinds.add(kind!);
    }
  }
  return kinds;
}

describe("the dead outbox rows' kinds", () => {
  it('every kind the code queues is phrased in Russian and English, and no phrase names a kind never queued', async () => {
    const queued = await queuedOutboxKinds();
    for (const kind of ['status.accepted', 'alert.overdue', 'broadcast.contest', 'follow.accepted', 'contest.winner', 'reply']) expect(queued, kind).toContain(kind);
    const leaves = (node: Record<string, unknown>, prefix: string[] = []): string[] =>
      Object.entries(node).flatMap(([k, v]) => (typeof v === 'string' ? [[...prefix, k].join('.')] : leaves(v as Record<string, unknown>, [...prefix, k])));
    for (const lang of ['ru', 'en']) {
      const phrased = leaves(JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'locales', lang, 'console.json'), 'utf8')).outbox.kinds);
      expect([...phrased].sort(), lang).toEqual([...queued].sort());
    }
  });
});
