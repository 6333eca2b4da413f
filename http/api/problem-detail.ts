import type { ErrorCode } from '../../core/errors.ts';

/**
 * A human-readable `detail` for every problem the API answers (RFC 9457 §3.1.4): what went wrong
 * and what the caller can do about it. Static per code, so an answer for an id out of scope reads
 * exactly like one for an id that does not exist. Codes added later without a text here still get
 * one (`detailFor` spells the code out), but each deserves its own sentence.
 */
export const DETAILS: Partial<Record<ErrorCode | string, string>> = {
  VALIDATION: 'The request is invalid: see `errors` or `details` for the field and the problem.',
  TEXT_EMPTY: 'The text is empty.',
  TEXT_TOO_LONG: 'The text is longer than allowed.',
  TEXT_INVALID_CHARACTERS: 'The text contains characters that are not allowed (NUL or a lone surrogate).',
  INVALID_POINT: 'The point is not a valid latitude/longitude pair.',
  OUTSIDE_MUNICIPALITY: 'The point lies outside every municipality served by the platform.',
  CONSENT_REQUIRED: 'The resident has not given consent to personal data processing.',
  NOT_REGISTERED: 'The resident has not completed registration.',
  NOT_FOUND: 'Nothing with this id exists, or it is out of your scope.',
  MESSAGE_NOT_FOUND: 'No message with this id exists, or it is out of your scope.',
  CATEGORY_NOT_FOUND: 'No category with this id exists.',
  EXECUTOR_NOT_FOUND: 'No executor with this id exists, or it is out of your scope.',
  ANSWER_NOT_FOUND: 'No answer with this id exists, or it is out of your scope.',
  COMMENT_NOT_FOUND: 'No comment with this id exists, or it is out of your scope.',
  ILLEGAL_TRANSITION: 'The message is not in a state that allows this action (see `details` for its state).',
  MESSAGE_ALREADY_CLOSED: 'The message is already closed; nothing can change it any more.',
  CONCURRENT_CHANGE: 'Somebody changed this in the meantime; read it again and retry.',
  ANSWER_NOT_PENDING: 'The answer is no longer waiting for this action (it was already approved, returned or sent).',
  ALREADY_RATED: 'The answer has already been rated.',
  REASON_REQUIRED: 'A reason is required for this action.',
  NO_ROUTING_RULE: 'No routing rule names an executor for this category in this municipality; pass `executorId` or add a rule.',
  EXECUTOR_OUT_OF_SCOPE: "The executor does not serve the message's municipality.",
  NOT_AUTHOR: 'Only the author of the message may do this.',
  NOT_CLOSED: 'The message is not closed yet.',
  NOT_PUBLISHED: 'The message is not published.',
  DUPLICATE_OF_SELF: 'A message cannot be a duplicate of itself.',
  TOO_MANY_PHOTOS: 'Too many photos are attached.',
  STAFF_NOT_FOUND: 'No staff member with this id exists, or it is out of your scope.',
  LINK_CODE_INVALID: 'The link code is not valid.',
  LINK_CODE_EXPIRED: 'The link code has expired; ask for a new one.',
  LINK_CODE_USED: 'The link code has already been used; ask for a new one.',
  RESIDENT_LINK_CODE_INVALID: 'The link code is not valid.',
  RESIDENT_LINK_CODE_EXPIRED: 'The link code has expired.',
  RESIDENT_LINK_SAME_CHANNEL: 'The code must be entered in the other messenger.',
  RESIDENT_CHANNEL_ALREADY_LINKED: 'This messenger account is already linked to another resident.',
  FORBIDDEN: 'Your role may not do this (see `details.permission`).',
  UNAUTHORIZED: 'Send a valid API key as `Authorization: Bearer <key>`.',
  ALREADY_EXISTS: 'Something with the same unique value already exists (see `details`).',
  API_KEY_NOT_FOUND: 'No API key with this id exists.',
  SECTOR_NOT_FOUND: 'No sector with this id exists.',
  MUNICIPALITY_NOT_FOUND: 'No municipality with this id exists, or it is out of your scope.',
  ROUTING_RULE_NOT_FOUND: 'No routing rule exists for this municipality and category.',
  KPI_RESPONSIBLE_NOT_FOUND: 'No KPI responsible is assigned here.',
  PHOTO_NOT_FOUND: 'No photo with this id exists, or it is out of your scope.',
  LAST_OPERATOR: 'The last active operator cannot be removed or demoted.',
  WEAK_BOOTSTRAP_TOKEN: 'ADMIN_BOOTSTRAP_TOKEN is too short or too simple.',
  INVALID_CURSOR: 'The pagination cursor is not valid; start again without it.',
  OUTBOX_NOT_FOUND: 'No outbox row with this id exists.',
  OUTBOX_NOT_DEAD: 'Only a dead outbox row can be retried (see `details.state`).',
  BROADCAST_NOT_FOUND: 'No broadcast with this id exists, or it is out of your scope.',
  BROADCAST_NOT_ACTIVE: 'The broadcast is no longer active.',
  MEDIA_NOT_FOUND: 'No media file with this id exists, or it is out of your scope.',
  MEDIA_TOO_LARGE: 'The file is larger than allowed for its kind.',
  MEDIA_UNSUPPORTED_TYPE: 'The file type is not supported.',
  SECTOR_TOO_FEW_CATEGORIES: 'Seed 002 §5: an active sector keeps at least three active problem categories; add a category or retire the sector first.',
  // Codes of the HTTP layer itself.
  ROUTE_NOT_FOUND: 'No such route.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The content type of the request is not supported.',
  INTERNAL: 'An unexpected error occurred; it has been logged with the request id.',
  PHOTO_UPSTREAM_FAILED: 'The messenger did not provide the file.',
  CHANNEL_DISABLED: 'The messenger channel is not configured.',
};

/** The detail for a code: its sentence, or the code spelled out ("SECTOR_RULE" → "Sector rule."). */
export function detailFor(code: string): string {
  const known = DETAILS[code];
  if (known) return known;
  const words = code.toLowerCase().replaceAll('_', ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}
