import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Principal } from '../../core/access/principal.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db/types.ts';
import type { OverlapChecker } from '../../core/geo/overlap-check.ts';
import type { PhotoFetchers } from '../../core/media/photo-fetcher.ts';
import type { MediaLimits } from '../../core/media/media.repository.ts';
import type { MediaStore } from '../../core/media/store.ts';
import type { Logger } from '../../logger.ts';
import type { RatingWeights } from '../../core/kpi/ratings.ts';

export type ApiEnv = {
  Variables: {
    requestId: string;
    /** A child logger carrying the request id: every line logged for a request has it. */
    log: Logger;
    /** Set by the authentication middleware on every route but the OpenAPI document. */
    principal: Principal;
  };
};

export type ApiApp = OpenAPIHono<ApiEnv>;

export interface ApiDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Per messenger; a channel that is off has none and its photos answer 503. */
  photos: PhotoFetchers;
  /**
   * Staff link codes: their lifetime, the Telegram bot whose t.me deep link carries them (unknown when Telegram is off)
   * and the VK community whose vk.me link carries them as `ref` (unset when VK is off).
   */
  staffLinks?: { ttlHours?: number; telegramBotUsername?: string; vkGroupId?: number };
  /** The process's state for GET /system/health (operators). */
  systemHealth?: () => Promise<SystemHealth>;
  /** The media store and upload limits (POST /media, GET /media/{id}). */
  media?: { store: MediaStore; limits: MediaLimits };
  /** Compares uploaded municipality boundaries with their neighbours' (one per app: its stop ends them). */
  overlapChecker: OverlapChecker;
  /** Weights of the executors' rating (KPI_RATING_WEIGHTS); the defaults when absent. */
  kpi?: { ratingWeights: RatingWeights };
}

/** What GET /system/health tells an operator (the public /health says only 200 or 503). */
export interface SystemHealth {
  ready: boolean;
  stopping: boolean;
  database: { kind: 'postgres' | 'pglite'; up: boolean; pool?: { total: number; idle: number; waiting: number; max: number } };
  migrations: { applied: number; pending: number };
  channels: { telegram: boolean; vk: boolean };
  outboxSending: boolean;
  cron: boolean;
  uptimeSeconds: number;
  webhooksInFlight: number;
}
