import path from 'node:path';
import type { Config } from './config.ts';
import type { MediaLimits } from './core/media/media.repository.ts';
import { createDiskMediaStore, type MediaStore } from './core/media/store.ts';

/**
 * The store the configuration names: an S3-compatible bucket when MEDIA_S3_BUCKET is set, else files
 * under MEDIA_DIR (DATA_DIR/media). The S3 client is loaded only then (it costs some 30 MB of memory).
 */
export async function mediaFromConfig(config: Config): Promise<{ store: MediaStore; limits: MediaLimits }> {
  const limits = { maxImageBytes: config.MEDIA_MAX_IMAGE_BYTES, maxVideoBytes: config.MEDIA_MAX_VIDEO_BYTES };
  if (config.MEDIA_S3_BUCKET) {
    const { createS3MediaStore } = await import('./core/media/s3-store.ts');
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
