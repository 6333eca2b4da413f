import path from 'node:path';
import type { Config } from './config.ts';
import type { MediaLimits } from './core/media/media.repository.ts';
import type { BucketCheck } from './core/media/s3-store.ts';
import { createDiskMediaStore, type MediaStore } from './core/media/store.ts';
import type { Logger } from './logger.ts';
import { ConfigError } from './startup-failure.ts';

/** How long the start waits for the bucket's answer (the SDK's retries included). */
export const S3_CHECK_TIMEOUT_MS = 5000;

/**
 * The store the configuration names: an S3-compatible bucket when MEDIA_S3_BUCKET is set, else files
 * under MEDIA_DIR (DATA_DIR/media). The S3 client is loaded only then (it costs some 30 MB of memory).
 * The bucket is checked once here (HeadBucket), so a bad setting stops the start instead of the
 * first upload (see bucketVerdict).
 */
export async function mediaFromConfig(config: Config, logger: Logger): Promise<{ store: MediaStore; limits: MediaLimits }> {
  const limits = { maxImageBytes: config.MEDIA_MAX_IMAGE_BYTES, maxVideoBytes: config.MEDIA_MAX_VIDEO_BYTES };
  if (config.MEDIA_S3_BUCKET) {
    const { checkBucket, createS3MediaStore } = await import('./core/media/s3-store.ts');
    const store = createS3MediaStore({
      bucket: config.MEDIA_S3_BUCKET,
      region: config.MEDIA_S3_REGION,
      endpoint: config.MEDIA_S3_ENDPOINT,
      accessKeyId: config.MEDIA_S3_ACCESS_KEY_ID,
      secretAccessKey: config.MEDIA_S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.MEDIA_S3_FORCE_PATH_STYLE,
      prefix: config.MEDIA_S3_PREFIX,
    });
    const verdict = bucketVerdict(await checkBucket(store.client, config.MEDIA_S3_BUCKET, S3_CHECK_TIMEOUT_MS), config);
    if (verdict?.fatal) throw new ConfigError(verdict.line);
    if (verdict) logger.warn({ variable: 'MEDIA_S3_ENDPOINT' }, verdict.line);
    return { limits, store };
  }
  return { limits, store: createDiskMediaStore(config.MEDIA_DIR ?? path.join(config.DATA_DIR, 'media')) };
}

/**
 * What the start makes of the bucket check. An answer that refuses (no such bucket, keys refused,
 * another region) is the configuration: it will not mend itself, so the start stops naming the
 * variable. No answer (network, timeout, 5xx) may be an outage of the store: the start goes on with
 * a warning, as the bots need the store only for photos (their copies and the sends that carry them
 * are retried) and contest entries; stopping would turn a store outage into the bots' outage (and a
 * restarting instance would stay down with it).
 * Never prints a key.
 */
export function bucketVerdict(check: BucketCheck, config: Config): { fatal: boolean; line: string } | undefined {
  if (check.ok) return undefined;
  const bucket = `bucket "${config.MEDIA_S3_BUCKET}"`;
  const where = config.MEDIA_S3_ENDPOINT ? `MEDIA_S3_ENDPOINT ${withoutUserInfo(config.MEDIA_S3_ENDPOINT)}` : `AWS S3 (MEDIA_S3_REGION ${config.MEDIA_S3_REGION})`;
  const keys = config.MEDIA_S3_ACCESS_KEY_ID ? 'MEDIA_S3_ACCESS_KEY_ID, MEDIA_S3_SECRET_ACCESS_KEY' : "MEDIA_S3_ACCESS_KEY_ID, MEDIA_S3_SECRET_ACCESS_KEY (unset: the SDK's default credentials)";
  if ('credentials' in check) return { fatal: true, line: `${keys}: no S3 credentials to reach ${bucket} at ${where}: set both keys` };
  if ('unreachable' in check) {
    return {
      fatal: false,
      line: `media store: cannot reach ${bucket} at ${where} (${check.reason}); starting anyway: photo copies and sends with media are retried until it answers; check MEDIA_S3_ENDPOINT if this persists`,
    };
  }
  const answered = `${where} answered HeadBucket for ${bucket} with ${check.status}`;
  if (check.status === 404) return { fatal: true, line: `MEDIA_S3_BUCKET: ${answered} (no such bucket): create it, or fix MEDIA_S3_BUCKET or MEDIA_S3_ENDPOINT` };
  if (check.status === 401 || check.status === 403) return { fatal: true, line: `${keys}: ${answered} (access refused): check the keys and the bucket's policy` };
  if (check.status === 301 || check.region) {
    return { fatal: true, line: `MEDIA_S3_REGION: ${answered} (the bucket is in ${check.region ? `region ${check.region}` : 'another region'}): set MEDIA_S3_REGION to it` };
  }
  return { fatal: true, line: `MEDIA_S3_BUCKET, MEDIA_S3_ENDPOINT, MEDIA_S3_REGION: ${answered}: check these settings` };
}

/** The endpoint without a user or password someone put in the URL. */
function withoutUserInfo(endpoint: string): string {
  const url = new URL(endpoint);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}
