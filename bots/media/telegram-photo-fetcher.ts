import { MAX_PHOTO_BYTES, PhotoFetchError, type PhotoFetcher } from '../../core/media/photo-fetcher.ts';

export interface TelegramPhotoFetcherOptions {
  /** TELEGRAM_API_ROOT, e.g. https://api.telegram.org (a fake server in tests). */
  apiRoot: string;
  token: string;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

const TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };

/**
 * Photo bytes through the Bot API: getFile gives a file_path, then the bytes come from
 * `${apiRoot}/file/bot<token>/<file_path>`. Errors never carry these URLs: they hold the token.
 */
export function telegramPhotoFetcher(options: TelegramPhotoFetcherOptions): PhotoFetcher {
  const doFetch = options.fetch ?? globalThis.fetch;
  const root = options.apiRoot.replace(/\/+$/, '');
  const timeout = () => AbortSignal.timeout(options.timeoutMs ?? 15_000);

  return {
    async fetch(fileId) {
      let filePath: string;
      try {
        const response = await doFetch(`${root}/bot${options.token}/getFile?file_id=${encodeURIComponent(fileId)}`, { signal: timeout() });
        const body = (await response.json()) as { ok?: boolean; result?: { file_path?: string; file_size?: number } };
        // 400: Telegram refuses this file id (unknown, or over getFile's 20 MB); anything else may pass.
        if (!body.ok || !body.result?.file_path) throw new PhotoFetchError(`getFile answered ${response.status}`, { permanent: response.status === 400 });
        if ((body.result.file_size ?? 0) > MAX_PHOTO_BYTES) throw new PhotoFetchError('file too large', { permanent: true });
        filePath = body.result.file_path;
      } catch (error) {
        throw error instanceof PhotoFetchError ? error : new PhotoFetchError('getFile failed', { cause: errorName(error) });
      }
      let response: Response;
      try {
        response = await doFetch(`${root}/file/bot${options.token}/${filePath.split('/').map(encodeURIComponent).join('/')}`, { signal: timeout() });
      } catch (error) {
        throw new PhotoFetchError('file download failed', { cause: errorName(error) });
      }
      if (!response.ok) throw new PhotoFetchError(`file download answered ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.byteLength > MAX_PHOTO_BYTES) throw new PhotoFetchError('file too large', { permanent: true });
      const extension = filePath.split('.').pop()?.toLowerCase() ?? '';
      const header = response.headers.get('content-type') ?? '';
      const contentType = header.startsWith('image/') ? header : TYPES[extension] ?? 'application/octet-stream';
      return { bytes, contentType };
    },
  };
}

/** Only the error's name survives: fetch errors may quote the URL, and the URL holds the token. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
