import type { ApiDeps } from '../../env.ts';

/** The app always configures a store (disk by default); an API built without one is a wiring mistake. */
export function requireStore(deps: ApiDeps): NonNullable<ApiDeps['media']> {
  if (!deps.media) throw new Error('the admin API was built without a media store');
  return deps.media;
}

/** A stored file's bytes never change (content-addressed, or behind a messenger's file id); only the key holder may see them. */
export const fileHeaders = (contentType: string) => ({
  'content-type': contentType,
  'cache-control': 'private, max-age=86400, immutable',
  'x-content-type-options': 'nosniff',
});
