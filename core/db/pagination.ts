import { DomainError } from '../errors.ts';
import { MAX_ROW_ID } from './types.ts';

/** Lists never return more than this many items per page, whatever the caller asks. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

export interface PageRequest {
  /** Opaque, from the previous page's `nextCursor`. */
  cursor?: string;
  limit?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(Math.trunc(limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
}

/**
 * Keyset cursors: the sort value and id of the last item, base64url JSON. They carry no scope,
 * so a forged cursor can only move within what the caller may see anyway.
 */
export function encodeCursor(position: { v: string | number | null; id: number }): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { v: string | number | null; id: number } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; id?: unknown };
    const okValue = parsed.v === null || typeof parsed.v === 'string' || (typeof parsed.v === 'number' && Number.isFinite(parsed.v));
    const okId = Number.isInteger(parsed.id) && (parsed.id as number) >= 0 && (parsed.id as number) <= MAX_ROW_ID;
    if (okId && okValue) return { v: parsed.v as string | number | null, id: parsed.id as number };
  } catch {
    // fall through: any malformed cursor is the same client error
  }
  throw new DomainError('INVALID_CURSOR');
}

/** Cuts a `limit + 1` query result into a page; the extra row only says that more exist. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, position: (row: R) => { v: string | number | null; id: number }): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: more && last !== undefined ? encodeCursor(position(last)) : null };
}

/** For lists ordered by id descending: the id after which the next page starts. */
export function idCursor(cursor: string | undefined): number | undefined {
  return cursor === undefined ? undefined : decodeCursor(cursor).id;
}
