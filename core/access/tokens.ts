import { createHash, randomBytes } from 'node:crypto';

/** Issued tokens: a recognisable prefix (secret scanners, logs reviews) and 256 random bits. */
const TOKEN_PREFIX = 'otk_';
const DISPLAY_PREFIX_LENGTH = 8;

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Tokens are high-entropy, so a plain SHA-256 is enough (no slow KDF needed): the database holds
 * only this hash, and a lookup by hash reveals nothing about other tokens.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What lists show so an official can tell keys apart; too short to help guessing. */
export function displayPrefix(token: string): string {
  return token.slice(0, DISPLAY_PREFIX_LENGTH);
}
