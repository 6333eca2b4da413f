import { sql } from 'kysely';
import type { EntryKind, EntryMediaKind } from '../../../core/contests/contest.table.ts';
import type { Db } from '../../../core/db/types.ts';
import { DomainError } from '../../../core/errors.ts';
import { type Media, type MediaLimits, rememberUpload } from '../../../core/media/media.repository.ts';
import type { MediaKind } from '../../../core/media/media.table.ts';
import { PhotoFetchError, type PhotoFetcher } from '../../../core/media/photo-fetcher.ts';
import type { MediaStore } from '../../../core/media/store.ts';
import { domainErrorView } from '../../dialogs/errors.ts';
import type { SentFile } from '../../dialogs/input.ts';
import type { View } from '../../dialogs/view.ts';
import { copyFromTelegram, copyFromVk } from '../../media/copy.ts';

/** What the contests feature needs to copy entries into the media store; app.ts provides it at start. */
export interface ContestMediaDeps {
  store: MediaStore;
  limits: MediaLimits;
  /** Telegram getFile + download (absent when Telegram is off). */
  telegram?: PhotoFetcher;
  fetchImpl?: typeof fetch;
}

let deps: ContestMediaDeps | undefined;

/**
 * Called once by buildApp: the feature list is static (bots/features/registry.ts), so the store
 * reaches the feature here rather than through every dialog's context. One app per process.
 */
export function provideContestMedia(value: ContestMediaDeps): void {
  deps = value;
}

/**
 * Replay and fixtures only: VK's file servers are not reachable there, so downloads of VK URLs go
 * through this stand-in (test/bots/contest-directives.ts). Never called by the app.
 */
export function useContestFetch(fetchImpl: typeof fetch | undefined): void {
  if (deps) deps = { ...deps, fetchImpl };
}

/**
 * The file copied into the store under the contest's limits (the smaller of the contest's and the
 * store's), of a kind the contest takes: one the download shows to be another kind is refused
 * before its bytes are put in the store (ENTRY_KIND_NOT_ALLOWED), so a refused work leaves nothing.
 */
export async function copyEntryFile(db: Db, file: SentFile, target: { municipalityId: number | null; maxSizeMb: number | null; entryKind: EntryKind | null }): Promise<Media> {
  if (!deps) throw new Error('contest media store not provided (provideContestMedia)');
  const cap = target.maxSizeMb === null ? Number.POSITIVE_INFINITY : target.maxSizeMb * 1024 * 1024;
  const limits = { maxImageBytes: Math.min(deps.limits.maxImageBytes, cap), maxVideoBytes: Math.min(deps.limits.maxVideoBytes, cap) };
  const admit = (kind: MediaKind) => {
    if (target.entryKind !== 'any' && target.entryKind !== entryMediaKind(kind)) throw new DomainError('ENTRY_KIND_NOT_ALLOWED', { allowed: target.entryKind });
  };
  const copy = { municipalityId: target.municipalityId, limits, admit };
  try {
    if (file.fileId && deps.telegram) {
      const media = await copyFromTelegram(db, deps.store, deps.telegram, file.fileId, copy);
      // The resident's photo file id is Telegram's own id for these bytes: shown to other Telegram
      // residents without uploading them again (a document's or video note's id is not a sendable photo or video).
      if (file.kind === 'photo' && media.kind === 'image') await rememberUpload(db, media.sha256, 'tg', file.fileId);
      return media;
    }
    if (file.url) return await copyFromVk(db, deps.store, file.url, copy, deps.fetchImpl);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'MEDIA_TOO_LARGE' && target.maxSizeMb !== null) throw new DomainError('ENTRY_TOO_LARGE', { max: target.maxSizeMb });
    throw error;
  }
  throw new DomainError('MEDIA_UNSUPPORTED_TYPE', { reason: 'no file to download' });
}

const entryMediaKind = (kind: MediaKind): EntryMediaKind => (kind === 'image' ? 'photo' : 'video');

/**
 * The entry's work copied into the store once the resident agreed to the terms (an entry dropped
 * before leaves nothing stored), checked against the contest's kind. Under a savepoint of the
 * turn's transaction: a refusal (download failed, too large, not a photo or video the contest
 * takes) leaves no media row, nor bytes in the store (each is refused before `put`), and is
 * returned as the view to show.
 */
export async function storeEntryWork(
  db: Db,
  file: SentFile,
  contest: { municipalityId: number | null; maxSizeMb: number | null; entryKind: EntryKind | null },
): Promise<{ mediaId: number; mediaKind: EntryMediaKind } | { refusal: View }> {
  await sql`SAVEPOINT contest_work`.execute(db);
  try {
    // The kind is checked inside the copy, before the bytes are stored.
    const media = await copyEntryFile(db, file, contest);
    await sql`RELEASE SAVEPOINT contest_work`.execute(db);
    return { mediaId: media.id, mediaKind: entryMediaKind(media.kind) };
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT contest_work`.execute(db);
    if (error instanceof PhotoFetchError) return { refusal: { key: 'contests.download_failed' } };
    const view = domainErrorView(error);
    if (view) return { refusal: view };
    throw error;
  }
}
