// Which console pages a role may use: the admin API's permissions (core/access/permissions.ts) that
// each page needs. The API decides; the console only hides what the role cannot use
// (console.access.test.ts keeps this table equal to PERMISSIONS).
export const PAGE_PERMISSION = {
  queue: 'messages.read',
  incidents: 'incidents.triage',
  polls: 'polls.read',
  'direct-lines': 'direct_lines.read',
  directories: 'staff.read',
  audit: 'audit.read',
  outbox: 'outbox.read',
  jobs: 'jobs.read',
  news: 'news.read',
  broadcasts: 'broadcasts.read',
  events: 'news.read',
  contests: 'contests.read',
  kpi: 'kpi.read',
  comments: 'item_comments.moderate',
  sessions: 'sessions.manage',
};

const EVERYONE = ['operator', 'curator', 'moderator', 'executor', 'responsible'];

/** The roles of each permission the console uses, copied from core/access/permissions.ts. */
export const ROLES = {
  'messages.read': EVERYONE,
  'messages.moderate': ['operator', 'curator', 'moderator'],
  'messages.mark_urgent': ['operator', 'curator', 'moderator'],
  'answers.draft': ['operator', 'moderator', 'executor'],
  'answers.review': ['operator', 'curator'],
  'incidents.triage': ['operator', 'curator', 'moderator'],
  'incidents.publish': ['operator', 'curator', 'moderator'],
  'polls.read': ['operator', 'curator', 'moderator', 'responsible'],
  'polls.write': ['operator', 'curator', 'moderator'],
  'direct_lines.read': ['operator', 'curator', 'moderator', 'responsible'],
  'direct_lines.write': ['operator', 'curator', 'moderator'],
  'directories.read': EVERYONE,
  'municipality.team.write': ['operator', 'curator'],
  'staff.read': ['operator', 'curator'],
  'staff.write': ['operator'],
  'staff.link': ['operator', 'curator'],
  'keys.manage': ['operator'],
  'audit.read': ['operator', 'curator'],
  'outbox.read': ['operator'],
  'outbox.retry': ['operator'],
  'jobs.read': ['operator'],
  'news.read': EVERYONE,
  'broadcasts.read': ['operator', 'curator'],
  'broadcasts.send': ['operator', 'curator'],
  'news.write': ['operator', 'curator', 'moderator'],
  'media.read': ['operator', 'curator', 'moderator', 'executor'],
  'media.write': ['operator', 'curator', 'moderator', 'executor'],
  'contests.read': EVERYONE,
  'contests.write': ['operator', 'curator'],
  'contests.moderate': ['operator', 'curator', 'moderator'],
  'kpi.read': EVERYONE,
  'kpi.recompute': ['operator', 'curator'],
  'item_comments.moderate': ['operator', 'curator', 'moderator'],
  'sessions.manage': EVERYONE,
};

export const can = (role, permission) => (ROLES[permission] ?? []).includes(role);
export const mayOpen = (role, page) => can(role, PAGE_PERMISSION[page]);
