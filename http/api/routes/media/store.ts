import type { ApiDeps } from '../../env.ts';

/** The app always configures a store (disk by default); an API built without one is a wiring mistake. */
export function requireStore(deps: ApiDeps): NonNullable<ApiDeps['media']> {
  if (!deps.media) throw new Error('the admin API was built without a media store');
  return deps.media;
}
