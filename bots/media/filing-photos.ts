import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../core/db/database.ts';
import type { Channel } from '../../core/db/types.ts';
import { DomainError } from '../../core/errors.ts';
import { rememberUpload, type Media, type MediaLimits } from '../../core/media/media.repository.ts';
import { PhotoFetchError, type PhotoFetcher } from '../../core/media/photo-fetcher.ts';
import type { MediaStore } from '../../core/media/store.ts';
import { claimPhotoCopies, photoCopyFailed, recordCopies, releasePhotoCopies, type ClaimOptions, type PhotoToCopy } from '../../core/messages/photo-copies.ts';
import { answerPhotoCopyFailed, recordAnswerCopies } from '../../core/messages/answer-photos.ts';
import { recordIncidentCopies } from '../../core/incidents/incident-photos.ts';

/**
 * One queue of photos to copy: the photos of filed messages (message_photo), those officials sent
 * with answers in the bot (answer_photo, core/messages/answer-photos.ts), or an open-source item's
 * (incident_photo, core/incidents/incident-photos.ts). A group's copies are recorded together (a
 * message's, an answer's, an item's), so their follow-up is one album.
 */
interface CopyQueue {
  name: string;
  claim(options: ClaimOptions): Promise<PhotoToCopy[]>;
  groupOf(photo: PhotoToCopy): number;
  failed(photoId: number, reason: string, retryAt: Date | null): Promise<number>;
  record(group: number, copies: { photoId: number; mediaId: number }[]): Promise<number>;
  release(photos: PhotoToCopy[], now: Date): Promise<void>;
}
import type { Logger } from '../../logger.ts';
import { copyFromTelegram, copyFromVk } from './copy.ts';

/** Photos claimed at a time; each is one download (a Telegram getFile plus the file, or a VK URL). */
const BATCH = 10;
/** A claimed photo not settled in this time goes back to the queue (the downloads time out in 15–30 s). */
const LEASE_MS = 5 * 60_000;
/** The longest wait between two attempts. */
const MAX_RETRY_MS = 6 * 3_600_000;

export interface FilingPhotoCopierOptions {
  db: Kysely<Database>;
  store: MediaStore;
  limits: MediaLimits;
  /** Telegram getFile + download; without it (Telegram off) Telegram photos are left queued. */
  telegram?: PhotoFetcher;
  /** How VK's file servers are reached (tests and replay: a stand-in). */
  vkFetch?: typeof fetch;
  clock: Clock;
  logger: Logger;
  pollMs: number;
  /** Attempts per photo before it is given up (the card then counts it in its note). */
  maxAttempts: number;
  /** The wait after the first failed attempt; each next one waits four times longer (at most 6 h). */
  retryBaseMs: number;
  /** Photos were queued for cards that went out without them: the outbox may send them now. */
  onQueued?: () => void;
}

export interface CopyCounts {
  copied: number;
  /** Outbox rows queued with copies for cards that had gone out without them. */
  followUps: number;
  /** Failed attempts that will be tried again. */
  retrying: number;
  /** Photos given up: the messenger refused the file for good, or the attempts ran out. */
  gaveUp: number;
}

export interface FilingPhotoCopier {
  /** One pass now, after the one under way if any (tests; the timer runs the same passes). */
  runOnce(): Promise<CopyCounts>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Copies the photos of filed messages into the media store, so an official working in the other
 * messenger sees them on the card (core/alerts/cards.ts) and the API serves them whatever messenger
 * they came through. It runs beside the webhooks, never inside them: the filing transaction only
 * queues the photos (message_photo.copy_due_at), and this worker downloads them afterwards, on every
 * instance (a claim leases its rows with SKIP LOCKED). A failed download is retried with a growing
 * wait and then given up; a card sent meanwhile counts the photo in its note instead of showing it,
 * and gets the copies in a follow-up once they are made (core/messages/photo-copies.ts recordCopies:
 * one message's copies are recorded together, so the follow-up is one album). Photos of open-source
 * items (core/incidents) are downloaded from their VK URLs the same way, from intake on
 * (incident_photo: the URLs expire before a late triage; acceptance hands the copies to the message).
 */
export function createFilingPhotoCopier(options: FilingPhotoCopierOptions): FilingPhotoCopier {
  const { db, logger } = options;
  const channels: Channel[] = ['vk', ...(options.telegram ? (['tg'] as const) : [])];
  const vkFetch = options.vkFetch ?? fetch;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<CopyCounts> | undefined;

  const queues: CopyQueue[] = [
    {
      name: 'filed',
      claim: (o) => claimPhotoCopies(db, 'message_photo', o),
      groupOf: (p) => p.messageId!,
      failed: async (id, reason, retryAt) => {
        await photoCopyFailed(db, 'message_photo', id, reason, retryAt);
        return 0;
      },
      record: (messageId, copies) => recordCopies(db, messageId, copies),
      release: (photos, now) => releasePhotoCopies(db, 'message_photo', photos, now),
    },
    {
      name: 'answer',
      claim: (o) => claimPhotoCopies(db, 'answer_photo', o),
      groupOf: (p) => p.answerId!,
      failed: (id, reason, retryAt) => answerPhotoCopyFailed(db, id, reason, retryAt),
      record: (answerId, copies) => recordAnswerCopies(db, answerId, copies),
      release: (photos, now) => releasePhotoCopies(db, 'answer_photo', photos, now),
    },
    {
      // An open-source item's photos from intake on (VK's URLs expire before a late triage).
      name: 'incident',
      claim: (o) => claimPhotoCopies(db, 'incident_photo', o),
      groupOf: (p) => p.incidentId!,
      // Given up, acceptance says the photo was not brought; nothing was sent without it.
      failed: async (id, reason, retryAt) => {
        await photoCopyFailed(db, 'incident_photo', id, reason, retryAt);
        return 0;
      },
      record: (incidentId, copies) => recordIncidentCopies(db, incidentId, copies),
      release: (photos, now) => releasePhotoCopies(db, 'incident_photo', photos, now),
    },
  ];

  async function download(photo: PhotoToCopy): Promise<Media> {
    const target = { municipalityId: photo.municipalityId, limits: options.limits };
    if (photo.channel === 'tg' && photo.fileId !== null) {
      const media = await copyFromTelegram(db, options.store, options.telegram!, photo.fileId, target);
      // The resident's file id is Telegram's own id for these bytes: a later send to Telegram uploads nothing.
      if (media.kind === 'image') await rememberUpload(db, media.sha256, 'tg', photo.fileId);
      return media;
    }
    if (!photo.sourceUrl) throw new PhotoFetchError('no download URL was kept for this VK photo', { permanent: true });
    return copyFromVk(db, options.store, photo.sourceUrl, target, vkFetch);
  }

  /** One photo's download: its copy, or the failure recorded (retried later or given up). */
  async function copy(queue: CopyQueue, photo: PhotoToCopy): Promise<Media | 'retrying' | 'gaveUp'> {
    try {
      const media = await download(photo);
      if (media.kind !== 'image') throw new DomainError('MEDIA_UNSUPPORTED_TYPE', { detected: media.mime });
      return media;
    } catch (error) {
      const reason = describe(error);
      const final = isPermanent(error) || photo.attempt >= options.maxAttempts;
      const retryAt = final ? null : new Date(options.clock().getTime() + Math.min(options.retryBaseMs * 4 ** (photo.attempt - 1), MAX_RETRY_MS));
      const told = await queue.failed(photo.id, reason, retryAt);
      if (told > 0) options.onQueued?.();
      const context = { queue: queue.name, messageId: photo.messageId, incidentId: photo.incidentId, photoId: photo.id, channel: photo.channel, attempt: photo.attempt, reason };
      if (final) logger.warn(context, 'a filed photo could not be copied into the media store: given up (cards in the other messenger count it instead)');
      else logger.info({ ...context, retryAt }, 'a filed photo could not be copied into the media store yet: tried again later');
      return final ? 'gaveUp' : 'retrying';
    }
  }

  async function pass(): Promise<CopyCounts> {
    const counts: CopyCounts = { copied: 0, followUps: 0, retrying: 0, gaveUp: 0 };
    for (const queue of queues) {
      if (stopped) break;
      await passOf(queue, counts);
    }
    return counts;
  }

  async function passOf(queue: CopyQueue, counts: CopyCounts): Promise<void> {
    for (;;) {
      if (stopped) return;
      const batch = await queue.claim({ channels, now: options.clock(), leaseMs: LEASE_MS, limit: BATCH });
      // A message's photos are recorded together: the cards that went out without them get them in one follow-up (an album).
      const byMessage = Map.groupBy(batch, (photo) => queue.groupOf(photo));
      // Stopping (a deploy's SIGTERM), the photos never started go back to the queue at once, not
      // when their lease ends five minutes later; the ones copied are recorded first.
      const unstarted = new Set(batch);
      for (const [messageId, photos] of byMessage) {
        if (stopped) break;
        const copies: { photoId: number; mediaId: number }[] = [];
        for (const photo of photos) {
          if (stopped) break;
          unstarted.delete(photo);
          const result = await copy(queue, photo);
          if (typeof result === 'string') counts[result]++;
          else copies.push({ photoId: photo.id, mediaId: result.id });
        }
        const followUps = await queue.record(messageId, copies);
        counts.copied += copies.length;
        counts.followUps += followUps;
        if (followUps > 0) {
          logger.info({ queue: queue.name, group: messageId, photos: copies.length, followUps }, 'photos copied after their cards (or answers) went out are sent after them');
          options.onQueued?.();
        }
      }
      if (unstarted.size > 0) await queue.release([...unstarted], options.clock());
      if (stopped || batch.length < BATCH) return;
    }
  }

  async function runOnce(): Promise<CopyCounts> {
    while (busy) await busy.catch(() => undefined);
    busy = pass().finally(() => {
      busy = undefined;
    });
    return busy;
  }

  function tick(): void {
    if (stopped || busy) return;
    runOnce().catch((err: unknown) => logger.error({ err }, 'copying filed photos failed; retrying at the next poll'));
  }

  return {
    runOnce,
    start() {
      if (timer || stopped) return;
      timer = setInterval(tick, options.pollMs);
      tick();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy?.catch(() => undefined);
    },
  };
}

/** Refusals that another attempt would meet again: the messenger's final word, or a file the store does not take. */
function isPermanent(error: unknown): boolean {
  if (error instanceof PhotoFetchError) return error.permanent;
  return error instanceof DomainError && (error.code === 'MEDIA_UNSUPPORTED_TYPE' || error.code === 'MEDIA_TOO_LARGE');
}

/** A short, log-safe reason: Telegram's errors come as PhotoFetchError, whose messages never carry the token. */
function describe(error: unknown): string {
  if (error instanceof DomainError) return error.code;
  if (error instanceof PhotoFetchError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'unknown';
}
