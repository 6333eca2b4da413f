import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';

/** The database or a transaction: every core function takes one of these first. */
export type Db = Kysely<Database> | Transaction<Database>;
export type Channel = 'tg' | 'vk';
export type Language = 'ru' | 'en';
export const CHANNELS: readonly Channel[] = ['tg', 'vk'];
/** Row ids are PostgreSQL `integer` serials: an id beyond this fails in a query instead of matching nothing. */
export const MAX_ROW_ID = 2_147_483_647;
export const LANGUAGES: readonly Language[] = ['ru', 'en'];
