import { computeKpis } from '../../../core/kpi/engine.ts';
import { formatTarget, formatValue, periodText, STATUS_MARK } from '../../../core/kpi/kpi-alerts.ts';
import { kpiNumbersOf } from '../../../core/kpi/kpi-responsible.service.ts';
import { monthKeyAt } from '../../../core/kpi/period.ts';
import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import type { BotFeature } from '../../dialogs/feature.ts';
import { reply } from '../../dialogs/flow.ts';
import { linkedOfficial } from '../../dialogs/staff.ts';

/**
 * `/kpi` for a linked official (not listed in the residents' command menu, as /unlink): the indicators they answer for (in person or through a group) in
 * the current local month, each with its status mark, value and target. Others are told it is for
 * officials only.
 */
export const kpi: BotFeature = {
  name: 'kpi',
  commands: [
    {
      name: 'kpi',
      asStaff: true,
      run: async (c) => {
        const official = await linkedOfficial(c);
        if (!official) return reply([{ key: 'kpi.not_official' }]);
        // Indicators belong to a municipality: a regional official (the ЦУР, an operator) has none of their own.
        const numbers = official.municipalityId === null ? [] : await kpiNumbersOf(c.db, official.staffId);
        if (numbers.length === 0 || official.municipalityId === null) return reply([{ key: 'kpi.none' }]);
        const municipality = await getMunicipality(c.db, official.municipalityId);
        const period = monthKeyAt(c.now, municipality.timeZone);
        const results = await computeKpis(c.db, municipality, period, c.now, { kpis: numbers, trend: false });
        return reply([
          {
            key: 'kpi.header',
            params: { period: periodText(period) },
            lines: results.map((r) => ({
              key: 'kpi.line',
              params: { mark: r.status ? STATUS_MARK[r.status] : '⚪', kpi: r.kpi, name: { $key: `kpi.name_${r.kpi}` }, value: formatValue(r.target, r.value), target: formatTarget(r.target) },
            })),
          },
        ]);
      },
    },
  ],
};
