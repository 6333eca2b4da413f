import type { AccessTables } from '../access/api-key.table.ts';
import type { AlertTables } from '../alerts/alert.table.ts';
import type { AuditTables } from '../audit/audit.table.ts';
import type { CategoryTables } from '../categories/category.table.ts';
import type { DialogTables } from '../dialogs/dialog-state.table.ts';
import type { InboundTables } from '../inbound/processed-update.table.ts';
import type { JobRunTables } from '../jobs/job-run.table.ts';
import type { KpiTables } from '../kpi/kpi-responsible.table.ts';
import type { StartPayloadTables } from '../inbound/start-payload.table.ts';
import type { MessageTables } from '../messages/message.table.ts';
import type { MunicipalityTables } from '../municipalities/municipality.table.ts';
import type { OutboxTables } from '../outbox/outbox.table.ts';
import type { RunningLineTables } from '../outbox/running-line.table.ts';
import type { ResidentTables } from '../residents/resident.table.ts';
import type { ResidentLinkCodeTables } from '../residents/link-code.table.ts';
import type { StaffLinkCodeTables } from '../staff/link-code.table.ts';
import type { StaffTables } from '../staff/staff.table.ts';
import type { VkLongPollStateTables } from '../inbound/vk-long-poll-state.table.ts';
import type { ActivityTables } from '../activity/activity.table.ts';
import type { BroadcastTables } from '../broadcasts/broadcast.table.ts';
import type { MediaTables } from '../media/media.table.ts';
import type { SubscriptionTables } from '../subscriptions/subscription.table.ts';
import type { NewsTables } from '../news/news.table.ts';
import type { ItemCommentTables } from '../item-comments/item-comment.table.ts';
import type { ConsoleTables } from '../console/console.table.ts';
import type { PollTables } from '../polls/poll.table.ts';
import type { IncidentTables } from '../incidents/incident.table.ts';
import type { ProductionCalendarTables } from '../calendar/production-calendar.table.ts';
import type { ContestTables } from '../contests/contest.table.ts';
import type { KpiEngineTables } from '../kpi/kpi.table.ts';
import type { MessengerTables } from '../notifications/messenger.table.ts';

/** Every table, composed from the domains' own table files (one line per domain). */
export interface Database
  extends MunicipalityTables,
    CategoryTables,
    ResidentTables,
    ResidentLinkCodeTables,
    StaffTables,
    MessageTables,
    InboundTables,
    StartPayloadTables,
    DialogTables,
    OutboxTables,
    RunningLineTables,
    AccessTables,
    AuditTables,
    KpiTables,
    StaffLinkCodeTables,
    AlertTables,
    JobRunTables,
    VkLongPollStateTables,
    BroadcastTables,
    SubscriptionTables,
    MediaTables,
    ActivityTables,
    NewsTables,
    ItemCommentTables,
    ConsoleTables,
    PollTables,
    IncidentTables,
    ProductionCalendarTables,
    ContestTables,
    KpiEngineTables,
    MessengerTables {}
