import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { linkByCode } from '../../../core/staff/link-attempts.ts';
import { linkCodeFromStartPayload, STAFF_START_PREFIX } from '../../../core/staff/link-codes.ts';
import type { DeepLink } from '../../dialogs/feature.ts';
import { reply, type StepContext } from '../../dialogs/flow.ts';
import { municipalityName } from '../../dialogs/format.ts';
import { local, type View } from '../../dialogs/view.ts';

async function linkedView(c: StepContext, role: string, municipalityId: number | null): Promise<View> {
  // Operators belong to no municipality: they act for all of them.
  const municipality = municipalityId === null ? local('official.all_municipalities') : municipalityName(await getMunicipality(c.db, municipalityId), c);
  return { key: 'official.linked', params: { role: local(`official.role_${role}`), municipality } };
}

/**
 * `/start staff_<code>`: links this messenger account to the staff member the code was issued
 * for and answers in the official's language. Wrong, used and expired codes get their own text;
 * too many wrong codes from one account are refused for a while (core/staff/link-attempts.ts).
 * The code is a credential: only the prefix is recorded.
 */
export const staffLink: DeepLink = {
  prefix: STAFF_START_PREFIX,
  secret: true,
  async open(c, rest) {
    const code = linkCodeFromStartPayload(`${STAFF_START_PREFIX}${rest}`);
    if (!code) return reply([{ key: 'errors.LINK_CODE_INVALID' }]);
    const result = await linkByCode(c.db, code, { channel: c.from.channel, externalId: c.from.externalId, chatId: c.from.chatId }, c.now);
    if (!result.ok) {
      return reply(result.code === 'LINK_CODE_RATE_LIMITED' ? [{ key: 'official.link_rate_limited', params: { minutes: result.retryInMinutes } }] : [{ key: `errors.${result.code}` }]);
    }
    c.language = result.staff.language;
    return reply([await linkedView(c, result.staff.role, result.staff.municipalityId)]);
  },
};
