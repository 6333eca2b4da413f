/**
 * Every rule the domain enforces has a stable code. Adapters map codes to HTTP statuses
 * (http/) and to locale keys (bots/); the code never changes once released.
 */
export const ERROR_KINDS = {
  VALIDATION: 'validation',
  TEXT_EMPTY: 'validation',
  TEXT_TOO_LONG: 'validation',
  TEXT_INVALID_CHARACTERS: 'validation',
  INVALID_POINT: 'validation',
  OUTSIDE_MUNICIPALITY: 'rule',
  CONSENT_REQUIRED: 'rule',
  NOT_REGISTERED: 'rule',
  NOT_FOUND: 'not_found',
  RESIDENT_NOT_FOUND: 'not_found',
  MESSAGE_NOT_FOUND: 'not_found',
  CATEGORY_NOT_FOUND: 'not_found',
  EXECUTOR_NOT_FOUND: 'not_found',
  EXECUTOR_INACTIVE: 'rule',
  STAFF_INACTIVE: 'rule',
  ANSWER_NOT_FOUND: 'not_found',
  COMMENT_NOT_FOUND: 'not_found',
  COMMENT_ALREADY_REPLIED: 'conflict',
  CLARIFICATION_NOT_AWAITED: 'conflict',
  ILLEGAL_TRANSITION: 'conflict',
  MESSAGE_ALREADY_CLOSED: 'conflict',
  CONCURRENT_CHANGE: 'conflict',
  /** The change must name the version it was made from (If-Match): without one it could undo what it never saw. */
  PRECONDITION_REQUIRED: 'precondition_required',
  ANSWER_NOT_PENDING: 'conflict',
  ANSWER_ROUTED_AWAY: 'conflict',
  ALREADY_RATED: 'conflict',
  REASON_REQUIRED: 'validation',
  NO_ROUTING_RULE: 'rule',
  EXECUTOR_OUT_OF_SCOPE: 'rule',
  NOT_AUTHOR: 'forbidden',
  NOT_CLOSED: 'rule',
  NOT_PUBLISHED: 'rule',
  DUPLICATE_OF_SELF: 'rule',
  TOO_MANY_PHOTOS: 'validation',
  STAFF_NOT_FOUND: 'not_found',
  STAFF_GROUP_NOT_FOUND: 'not_found',
  LINK_CODE_INVALID: 'validation',
  LINK_CODE_EXPIRED: 'rule',
  LINK_CODE_USED: 'rule',
  RESIDENT_LINK_CODE_INVALID: 'validation',
  RESIDENT_LINK_CODE_EXPIRED: 'rule',
  RESIDENT_LINK_SAME_CHANNEL: 'rule',
  RESIDENT_CHANNEL_ALREADY_LINKED: 'conflict',
  FORBIDDEN: 'forbidden',
  UNAUTHORIZED: 'unauthorized',
  ALREADY_EXISTS: 'conflict',
  API_KEY_NOT_FOUND: 'not_found',
  SECTOR_NOT_FOUND: 'not_found',
  MUNICIPALITY_NOT_FOUND: 'not_found',
  BOUNDARY_OVERLAP: 'conflict',
  BOUNDARY_CHECK_TIMEOUT: 'rule',
  // The instance is stopping (SIGTERM) and ended the work the request waited on: try again.
  SHUTTING_DOWN: 'unavailable',
  ROUTING_RULE_NOT_FOUND: 'not_found',
  KPI_RESPONSIBLE_NOT_FOUND: 'not_found',
  PHOTO_NOT_FOUND: 'not_found',
  /** The photo is known, its copy in the media store is not made (yet, or ever): `details.state` says which. */
  PHOTO_NOT_COPIED: 'conflict',
  LAST_OPERATOR: 'rule',
  WEAK_BOOTSTRAP_TOKEN: 'validation',
  INVALID_CURSOR: 'validation',
  PERIOD_NOT_STARTED: 'rule',
  OUTBOX_NOT_FOUND: 'not_found',
  OUTBOX_NOT_DEAD: 'conflict',
  OUTBOX_BROADCAST_CANCELLED: 'conflict',
  BROADCAST_NOT_FOUND: 'not_found',
  BROADCAST_NOT_ACTIVE: 'conflict',
  MEDIA_NOT_FOUND: 'not_found',
  MEDIA_TOO_LARGE: 'too_large',
  MEDIA_UNSUPPORTED_TYPE: 'unsupported_type',
  NEWS_NOT_FOUND: 'not_found',
  EVENT_NOT_FOUND: 'not_found',
  SIGN_IN_CODE_INVALID: 'unauthorized',
  SIGN_IN_RATE_LIMITED: 'rate_limited',
  SESSION_NOT_FOUND: 'not_found',
  CSRF: 'forbidden',
  POLL_NOT_FOUND: 'not_found',
  POLL_CADENCE: 'conflict',
  POLL_NOT_DRAFT: 'conflict',
  POLL_NOT_OPEN: 'rule',
  POLL_NOT_CLOSED: 'conflict',
  POLL_ALREADY_VOTED: 'conflict',
  POLL_OTHER_MUNICIPALITY: 'rule',
  POLL_DECISION_EXISTS: 'conflict',
  DIRECT_LINE_NOT_FOUND: 'not_found',
  DIRECT_LINE_QUESTION_NOT_FOUND: 'not_found',
  DIRECT_LINE_NOT_OPEN: 'rule',
  DIRECT_LINE_WITHDRAWN: 'conflict',
  DIRECT_LINE_QUESTION_LIMIT: 'rule',
  INCIDENT_NOT_FOUND: 'not_found',
  INCIDENT_NOT_NEW: 'conflict',
  INCIDENT_SOURCE_NOT_FOUND: 'not_found',
  INCIDENT_RULE_NOT_FOUND: 'not_found',
  REPLY_NOT_BY_HAND: 'rule',
  /** Seed 002 §5: an active sector keeps at least three active categories. */
  SECTOR_TOO_FEW_CATEGORIES: 'conflict',
  CONTEST_NOT_FOUND: 'not_found',
  CONTEST_INCOMPLETE: 'rule',
  CONTEST_TOO_LONG: 'rule',
  CONTEST_DATES_INVALID: 'rule',
  CONTEST_WRONG_STATE: 'conflict',
  CONTEST_NOT_OPEN: 'rule',
  CONTEST_WITHDRAWN: 'conflict',
  ENTRY_NOT_FOUND: 'not_found',
  ENTRY_ALREADY_MODERATED: 'conflict',
  ENTRY_LIMIT_REACHED: 'rule',
  ENTRY_KIND_NOT_ALLOWED: 'rule',
  ENTRY_TOO_LARGE: 'rule',
  ENTRY_TOO_LONG: 'rule',
  NOT_IN_CONTEST_AREA: 'rule',
  VOTING_CLOSED: 'rule',
  ALREADY_VOTED: 'conflict',
  SELF_VOTE: 'rule',
  DRAW_NOT_AVAILABLE: 'conflict',
} as const;

export type ErrorCode = keyof typeof ERROR_KINDS;
export type ErrorKind = (typeof ERROR_KINDS)[ErrorCode];

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, details: Record<string, unknown> = {}, message?: string) {
    super(message ?? code);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }

  get kind(): ErrorKind {
    return ERROR_KINDS[this.code];
  }
}

export function isDomainError(error: unknown, code?: ErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
