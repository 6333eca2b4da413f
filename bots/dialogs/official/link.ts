import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { linkByCode } from '../../../core/staff/link-attempts.ts';
import { linkCodeFromStartPayload } from '../../../core/staff/link-codes.ts';
import { STAFF_LINK_PREFIX, type DeepLinkHandler, type DeepLinks } from '../deep-links.ts';
import type { StepContext } from '../flow.ts';
import { municipalityName } from '../flows/registration.ts';
import { local, type View } from '../view.ts';

async function linkedView(c: StepContext, role: string, municipalityId: number | null): Promise<View> {
  // Operators belong to no municipality: they act for all of them.
  const municipality = municipalityId === null ? local('official.all_municipalities') : municipalityName(await getMunicipality(c.db, municipalityId), c);
  return { key: 'official.linked', params: { role: local(`official.role_${role}`), municipality } };
}

/**
 * `/start staff_<code>`: links this messenger account to the staff member the code was issued
 * for and answers in the official's language. Wrong, used and expired codes get their own text;
 * too many wrong codes from one account are refused for a while (core/staff/link-attempts.ts).
 */
export const staffLinkHandler: DeepLinkHandler = async (c, payload) => {
  const code = linkCodeFromStartPayload(payload);
  if (!code) return [{ key: 'errors.LINK_CODE_INVALID' }];
  const result = await linkByCode(c.db, code, { channel: c.from.channel, externalId: c.from.externalId, chatId: c.from.chatId }, c.now);
  if (!result.ok) {
    return result.code === 'LINK_CODE_RATE_LIMITED' ? [{ key: 'official.link_rate_limited', params: { minutes: result.retryInMinutes } }] : [{ key: `errors.${result.code}` }];
  }
  c.language = result.staff.language;
  return [await linkedView(c, result.staff.role, result.staff.municipalityId)];
};

/** The deep links every channel registers in production (app.ts). */
export const OFFICIAL_DEEP_LINKS: DeepLinks = new Map([[STAFF_LINK_PREFIX, staffLinkHandler]]);
