import path from 'node:path';
import type { Config } from './config.ts';
import type { MediaLimits } from './core/media/media.repository.ts';
import { createS3MediaStore } from './core/media/s3-store.ts';
import { createDiskMediaStore, type MediaStore } from './core/media/store.ts';

/** The store the configuration names: an S3-compatible bucket when MEDIA_S3_BUCKET is set, else files under MEDIA_DIR (DATA_DIR/media). */
export function mediaFromConfig(config: Config): { store: MediaStore; limits: MediaLimits } {
  const limits = { maxImageBytes: config.MEDIA_MAX_IMAGE_BYTES, maxVideoBytes: config.MEDIA_MAX_VIDEO_BYTES };
  if (config.MEDIA_S3_BUCKET) {
    return {
      limits,
      store: createS3MediaStore({
        bucket: config.MEDIA_S3_BUCKET,
        region: config.MEDIA_S3_REGION,
        endpoint: config.MEDIA_S3_ENDPOINT,
        accessKeyId: config.MEDIA_S3_ACCESS_KEY_ID,
        secretAccessKey: config.MEDIA_S3_SECRET_ACCESS_KEY,
        forcePathStyle: config.MEDIA_S3_FORCE_PATH_STYLE,
        prefix: config.MEDIA_S3_PREFIX,
      }),
    };
  }
  return { limits, store: createDiskMediaStore(config.MEDIA_DIR ?? path.join(config.DATA_DIR, 'media')) };
}
