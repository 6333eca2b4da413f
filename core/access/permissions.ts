import { DomainError } from '../errors.ts';
import type { StaffRole } from '../staff/staff.table.ts';
import type { Principal } from './principal.ts';

const EVERYONE: readonly StaffRole[] = ['operator', 'curator', 'moderator', 'executor', 'responsible'];

/**
 * Which roles may do what (DOMAIN.md "Participants"). Scope (municipality, executor organisation)
 * is checked separately, per resource, in scope.ts.
 * - curators lead a municipality's team: they review answers, read its audit and manage its
 *   executors, routing rules and KPI responsibles;
 * - moderators moderate and answer; executors answer the messages assigned to them;
 * - responsible officials only read;
 * - operators run the platform: everything, including staff, keys, the shared directories, the
 *   cron job runs and the dead outbox rows.
 */
export const PERMISSIONS = {
  'messages.read': EVERYONE,
  'messages.moderate': ['operator', 'moderator'],
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
  /** Media files for announcements: uploaded and read by those who write announcements and moderate. */
  'media.write': ['operator', 'curator', 'moderator'],
  'media.read': ['operator', 'curator', 'moderator'],
  /** Web-console sessions: everyone their own, operators everyone's. */
  'sessions.manage': EVERYONE,
  /** Polls and votes (KPI 3) and the decisions on their results (KPI 13): responsible officials read. */
  'polls.read': ['operator', 'curator', 'moderator', 'responsible'],
  'polls.write': ['operator', 'curator', 'moderator'],
  /** The head's direct line (KPI 12): campaigns, residents' questions, answers. */
  'direct_lines.read': ['operator', 'curator', 'moderator', 'responsible'],
  'direct_lines.write': ['operator', 'curator', 'moderator'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(principal: Pick<Principal, 'role'>, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly StaffRole[]).includes(principal.role);
}

export function requirePermission(principal: Pick<Principal, 'role'>, permission: Permission): void {
  if (!can(principal, permission)) throw new DomainError('FORBIDDEN', { permission });
}
