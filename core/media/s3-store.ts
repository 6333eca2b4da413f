import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { assertHash, HASH, type MediaStore, RENEW_AFTER_MS } from './store.ts';

export interface S3StoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, a local server); absent: AWS. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (bucket in the path): what MinIO and most self-hosted servers expect. */
  forcePathStyle: boolean;
  /** Key prefix inside the bucket. */
  prefix: string;
}

/** Media bytes in an S3-compatible bucket, one object per sha256 (AWS SDK v3). */
export function createS3MediaStore(options: S3StoreOptions): MediaStore & { client: S3Client } {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(options.accessKeyId && options.secretAccessKey && { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }),
  });
  const keyOf = (sha256: string) => {
    assertHash(sha256);
    return `${options.prefix}${sha256}`;
  };
  const missing = (error: unknown) => error instanceof NoSuchKey || error instanceof NotFound || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
  return {
    kind: 's3',
    client,
    async put(sha256, bytes, contentType) {
      const Key = keyOf(sha256);
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: options.bucket, Key }));
        // Content-addressed: the same key always holds the same bytes. An old object is renewed
        // (copied onto itself, no bytes sent) so that the orphan sweep's grace period starts again.
        if (head.LastModified && Date.now() - head.LastModified.getTime() > RENEW_AFTER_MS) {
          await client.send(
            new CopyObjectCommand({
              Bucket: options.bucket,
              Key,
              CopySource: `${options.bucket}/${encodeURIComponent(Key).replaceAll('%2F', '/')}`,
              MetadataDirective: 'REPLACE',
              ContentType: contentType,
            }),
          );
        }
        return;
      } catch (error) {
        if (!missing(error)) throw error;
      }
      await client.send(new PutObjectCommand({ Bucket: options.bucket, Key, Body: bytes, ContentType: contentType }));
    },
    async get(sha256) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: keyOf(sha256) }));
        return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async *list() {
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: options.prefix, ContinuationToken }));
        for (const object of page.Contents ?? []) {
          // Only <prefix><hash>: anything else in the bucket is not the store's.
          const name = object.Key?.slice(options.prefix.length) ?? '';
          if (HASH.test(name) && object.LastModified) yield { sha256: name, modifiedAt: object.LastModified };
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
    async modifiedAt(sha256) {
      try {
        return (await client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: keyOf(sha256) }))).LastModified;
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async delete(sha256) {
      // S3 answers a missing key with success too.
      await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: keyOf(sha256) }));
    },
  };
}

/**
 * What one HeadBucket said: the bucket is there and the keys may use it; the server answered
 * otherwise (its HTTP status, the bucket's region when it names one); or no answer came (network,
 * timeout) — `credentials` when the SDK found no keys to sign with, so nothing was sent.
 */
export type BucketCheck = { ok: true } | { ok: false; status: number; region?: string } | { ok: false; credentials: true; reason: string } | { ok: false; unreachable: true; reason: string };

/** HeadBucket within `timeoutMs` (the SDK's retries included): the start's cheap check of the media settings. */
export async function checkBucket(client: S3Client, bucket: string, timeoutMs: number): Promise<BucketCheck> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return { ok: true };
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> }; code?: string; cause?: unknown };
    const status = e.$metadata?.httpStatusCode;
    if (status !== undefined && status >= 300 && status < 500) {
      const region = e.$response?.headers?.['x-amz-bucket-region'];
      return { ok: false, status, ...(region && { region }) };
    }
    if (e.name === 'CredentialsProviderError') return { ok: false, credentials: true, reason: e.message };
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return { ok: false, unreachable: true, reason: `no answer within ${timeoutMs} ms` };
    if (status !== undefined) return { ok: false, unreachable: true, reason: `HTTP ${status}` };
    const cause = e.cause as { message?: string } | undefined;
    // A refused localhost (IPv4 and IPv6) is an AggregateError without a message: its code then.
    return { ok: false, unreachable: true, reason: e.message || cause?.message || e.code || e.name };
  }
}
