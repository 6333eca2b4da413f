import { z } from '@hono/zod-openapi';
import type { AlertListItem } from '../../../core/alerts/alerts.ts';
import type { JobRun } from '../../../core/jobs/job-runs.ts';
import { Timestamp } from './common.ts';
import { StaffRole } from './directory.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const Channel = z.enum(['tg', 'vk']);

export const LinkCodeSchema = z
  .object({
    staffId: z.number().int(),
    code: z.string().openapi({ description: 'one-time code, shown only in this answer (only its hash is stored)' }),
    deepLink: z.string().nullable().openapi({
      description: 'the Telegram link (deepLinks.telegram) when the Telegram bot is on, else the VK link (deepLinks.vk); null when both are off',
      example: 'https://t.me/otklik_bot?start=staff_abcd2345efgh6789',
    }),
    deepLinks: z
      .object({
        telegram: z.string().nullable().openapi({ description: 'https://t.me/<bot>?start=staff_<code>; null when the Telegram bot is off', example: 'https://t.me/otklik_bot?start=staff_abcd2345efgh6789' }),
        vk: z.string().nullable().openapi({ description: 'https://vk.me/club<VK_GROUP_ID>?ref=staff_<code>: opens the community\'s messages, and the first message carries the code; null when VK is off', example: 'https://vk.me/club229000001?ref=staff_abcd2345efgh6789' }),
      })
      .openapi({ description: 'the link for each messenger' }),
    startCommand: z.string().openapi({ description: 'what the official may send the bot instead of opening the link', example: '/start staff_abcd2345efgh6789' }),
    expiresAt: Timestamp,
  })
  .openapi('LinkCode');

export const AlertSchema = z
  .object({
    id: z.number().int(),
    staffId: z.number().int(),
    staffRole: StaffRole,
    municipalityId: z.number().int().nullable(),
    kind: z.string().openapi({ example: 'alert.assigned' }),
    messageId: z.number().int().nullable(),
    key: z.string().openapi({ description: 'locale key of the text', example: 'alert.assigned' }),
    params: z.record(z.string(), z.unknown()),
    queued: z.boolean().openapi({ description: 'sent or waiting to go to a linked messenger; false: the official has none and sees it only here, or its copies were cancelled (the official was deactivated)' }),
    delivery: z.enum(['sent', 'sending', 'pending', 'unreachable', 'dead', 'cancelled']).nullable().openapi({ description: 'how far its messenger copies got, the furthest of them; null: none was queued' }),
    createdAt: Timestamp,
  })
  .openapi('Alert');

export function alertDto(a: AlertListItem): z.infer<typeof AlertSchema> {
  return { id: a.id, staffId: a.staffId, staffRole: a.staffRole, municipalityId: a.municipalityId, kind: a.kind, messageId: a.messageId, key: a.key, params: a.params, queued: a.queued, delivery: a.delivery, createdAt: a.createdAt.toISOString() };
}

export const JobRunSchema = z
  .object({
    id: z.number().int(),
    job: z.string().openapi({ example: 'overdue' }),
    instance: z.string().nullable(),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    outcome: z.enum(['running', 'ok', 'skipped', 'error']).openapi({ description: 'running with no end: the instance died mid-run' }),
    counts: z.record(z.string(), z.number()),
    error: z.string().nullable(),
  })
  .openapi('JobRun');

export function jobRunDto(r: JobRun): z.infer<typeof JobRunSchema> {
  return { id: r.id, job: r.job, instance: r.instance, startedAt: r.startedAt.toISOString(), finishedAt: iso(r.finishedAt), outcome: r.outcome, counts: r.counts, error: r.error };
}
