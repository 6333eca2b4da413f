import { DomainError } from '../errors.ts';
import type { StaffRole } from '../staff/staff.table.ts';
import type { Principal } from './principal.ts';

const EVERYONE: readonly StaffRole[] = ['operator', 'curator', 'moderator', 'executor', 'responsible'];

/**
 * Which roles may do what (DOMAIN.md "Participants"). Scope (municipality, executor organisation)
 * is checked separately, per resource, in scope.ts.
 * - curators lead a municipality's team: they accept, reject and route messages (seed 004 §6),
 *   review answers, read its audit and manage its
 *   executors, routing rules and KPI responsibles;
 * - moderators moderate and answer; executors answer the messages assigned to them;
 * - responsible officials only read;
 * - operators run the platform: everything, including staff, keys, the shared directories, the
 *   cron job runs and the dead outbox rows.
 */
export const PERMISSIONS = {
  'messages.read': EVERYONE,
  /** Accept (routing to an executor), reject, publish, recategorise: curators too (seed 004 §6, the ЦУР curator directs messages). */
  'messages.moderate': ['operator', 'curator', 'moderator'],
  'answers.draft': ['operator', 'moderator', 'executor'],
  'answers.review': ['operator', 'curator'],
  'comments.write': ['operator', 'curator', 'moderator', 'executor'],
  'directories.read': EVERYONE,
  'directories.write': ['operator'],
  'municipality.team.write': ['operator', 'curator'],
  'staff.read': ['operator', 'curator'],
  'staff.write': ['operator'],
  'keys.manage': ['operator'],
  'audit.read': ['operator', 'curator'],
  /** Link codes and unlinking of officials' messengers: curators for their own team. */
  'staff.link': ['operator', 'curator'],
  /** Marks a message urgent (the one-working-hour draft rule then applies). */
  'messages.mark_urgent': ['operator', 'curator', 'moderator'],
  /** Officials' alerts: everyone reads those of their municipality, executors only their own. */
  'alerts.read': EVERYONE,
  /** Cron job runs are the platform's internals. */
  'jobs.read': ['operator'],
  /** Dead outbox rows: listing them (no payload) and giving them a fresh set of attempts. */
  'outbox.read': ['operator'],
  'outbox.retry': ['operator'],
  /** Broadcasts (announcements, official mailings): curators for their municipality, operators for all. */
  'broadcasts.read': ['operator', 'curator'],
  'broadcasts.send': ['operator', 'curator'],
  /** Media files for announcements and answers' photos: uploaded and read by those who write announcements, moderate or answer. */
  'media.write': ['operator', 'curator', 'moderator', 'executor'],
  'media.read': ['operator', 'curator', 'moderator', 'executor'],
  /** News and «Афиша» events: written by those who write announcements; read by every official. */
  'news.read': EVERYONE,
  'news.write': ['operator', 'curator', 'moderator'],
  /** Residents' comments on news and polls: hidden, approved and answered by moderators (curators for their team). */
  'item_comments.moderate': ['operator', 'curator', 'moderator'],
  /** Web-console sessions: everyone their own, operators everyone's. */
  'sessions.manage': EVERYONE,
  /** Polls and votes (KPI 3) and the decisions on their results (KPI 13): responsible officials read. */
  'polls.read': ['operator', 'curator', 'moderator', 'responsible'],
  'polls.write': ['operator', 'curator', 'moderator'],
  /** The head's direct line (KPI 12): campaigns, residents' questions, answers. */
  'direct_lines.read': ['operator', 'curator', 'moderator', 'responsible'],
  'direct_lines.write': ['operator', 'curator', 'moderator'],
  /** Incident management: the triage queue of open-source items (read, take in, accept or dismiss). */
  'incidents.triage': ['operator', 'curator', 'moderator'],
  /** Monitored pages and keyword rules of a municipality. */
  'incidents.configure': ['operator', 'curator'],
  /** Marks an answer published by hand under the source post (the official who posted it). */
  'incidents.publish': ['operator', 'curator', 'moderator'],
  /** Contests (KPI 10, 15): everyone reads their municipality's; curators run them; moderators also moderate entries. */
  'contests.read': EVERYONE,
  'contests.write': ['operator', 'curator'],
  'contests.moderate': ['operator', 'curator', 'moderator'],
  /** The process's health details (database, migrations, channels, pool): the platform's internals. */
  'system.read': ['operator'],
  /** KPI indicators of a municipality, its monthly report and its executors' rating: its whole team. */
  'kpi.read': EVERYONE,
  /** The region side by side (every municipality): operators, who see the whole region. */
  'kpi.region': ['operator'],
  /** What happens outside the platform (KPI 14 placements, KPI 16 publications), entered by the team. */
  'kpi.enter': ['operator', 'curator', 'responsible'],
  /** Recomputing the snapshot of an ended period (audited). */
  'kpi.recompute': ['operator', 'curator'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(principal: Pick<Principal, 'role'>, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly StaffRole[]).includes(principal.role);
}

export function requirePermission(principal: Pick<Principal, 'role'>, permission: Permission): void {
  if (can(principal, permission)) return;
  // An integration key holds no permission at all: say what it is for rather than name one it lacks.
  if (principal.role === 'integration') {
    throw new DomainError(
      'FORBIDDEN',
      { permission, role: 'integration' },
      'An integration key serves Open311 alone (as api_key of POST /open311/v2/requests); no /api/v1 route takes it, GET /me included.',
    );
  }
  throw new DomainError('FORBIDDEN', { permission });
}
