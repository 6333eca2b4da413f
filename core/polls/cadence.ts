import { sql } from 'kysely';
import { raiseAlert } from '../alerts/alerts.ts';
import type { Db } from '../db/types.ts';
import { kpiResponsibleStaffIds } from '../kpi/kpi-responsible.service.ts';

/** KPI 3 asks for a poll at least once a week: officials are warned a day before the week runs out. */
export const CADENCE_WARN_AFTER_DAYS = 6;
export const KPI_POLLS = 3;

/**
 * Cron: for each municipality whose last published poll (its own or a region-wide one) started
 * six days ago or more, with none scheduled to start within the next day, the officials responsible
 * for KPI 3 get an alert — once per last poll (the alert's dedupe key names it).
 */
export async function pollCadenceAlerts(db: Db, now: Date): Promise<{ cadenceAlerts: number }> {
  const warnBefore = new Date(now.getTime() - CADENCE_WARN_AFTER_DAYS * 86_400_000);
  const horizon = new Date(now.getTime() + 86_400_000);
  const rows = await sql<{ municipality_id: number; last_id: number; last_title: string; last_starts_at: Date }>`
    SELECT m.id AS municipality_id, last.id AS last_id, last.title AS last_title, last.starts_at AS last_starts_at
    FROM municipality m
    CROSS JOIN LATERAL (
      SELECT p.id, p.title, p.starts_at FROM poll p
      WHERE p.state <> 'draft' AND (p.municipality_id = m.id OR p.municipality_id IS NULL) AND p.starts_at <= ${now}
      ORDER BY p.starts_at DESC, p.id DESC LIMIT 1
    ) last
    WHERE last.starts_at <= ${warnBefore}
      AND NOT EXISTS (
        SELECT 1 FROM poll n
        WHERE n.state <> 'draft' AND (n.municipality_id = m.id OR n.municipality_id IS NULL)
          AND n.starts_at > ${now} AND n.starts_at <= ${horizon}
      )
    ORDER BY m.id
  `.execute(db);
  let raised = 0;
  for (const row of rows.rows) {
    const staff = await kpiResponsibleStaffIds(db, row.municipality_id, KPI_POLLS);
    const result = await raiseAlert(
      db,
      staff,
      {
        kind: 'alert.poll_cadence',
        key: 'polls.cadence_alert',
        params: { title: row.last_title, days: Math.floor((now.getTime() - new Date(row.last_starts_at).getTime()) / 86_400_000) },
        dedupeKey: `poll-cadence:${row.municipality_id}:${row.last_id}`,
      },
      now,
    );
    raised += result.raised;
  }
  return { cadenceAlerts: raised };
}
