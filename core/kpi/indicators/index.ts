import type { Indicator } from '../indicator.ts';
import { kpi01 } from './kpi01-registrations.ts';
import { kpi02 } from './kpi02-audience.ts';
import { kpi03 } from './kpi03-polls.ts';
import { kpi04 } from './kpi04-news.ts';
import { kpi05 } from './kpi05-events.ts';
import { kpi06 } from './kpi06-solved.ts';
import { kpi07 } from './kpi07-overdue.ts';
import { kpi08 } from './kpi08-comments.ts';
import { kpi09 } from './kpi09-published.ts';
import { kpi10 } from './kpi10-contests.ts';
import { kpi11 } from './kpi11-rated.ts';
import { kpi12 } from './kpi12-direct-line.ts';
import { kpi13 } from './kpi13-decisions.ts';
import { kpi14 } from './kpi14-outdoor.ts';
import { kpi15 } from './kpi15-video-contests.ts';
import { kpi16 } from './kpi16-publications.ts';

/** The 16 indicators of seed 000 (table 2), in their order. */
export const INDICATORS: readonly Indicator[] = [kpi01, kpi02, kpi03, kpi04, kpi05, kpi06, kpi07, kpi08, kpi09, kpi10, kpi11, kpi12, kpi13, kpi14, kpi15, kpi16];
