import type { CategoryTables } from '../categories/category.table.ts';
import type { DialogTables } from '../dialogs/dialog-state.table.ts';
import type { InboundTables } from '../inbound/processed-update.table.ts';
import type { StartPayloadTables } from '../inbound/start-payload.table.ts';
import type { MessageTables } from '../messages/message.table.ts';
import type { MunicipalityTables } from '../municipalities/municipality.table.ts';
import type { OutboxTables } from '../outbox/outbox.table.ts';
import type { ResidentTables } from '../residents/resident.table.ts';
import type { StaffTables } from '../staff/staff.table.ts';

/** Every table, composed from the domains' own table files (one line per domain). */
export interface Database
  extends MunicipalityTables,
    CategoryTables,
    ResidentTables,
    StaffTables,
    MessageTables,
    InboundTables,
    StartPayloadTables,
    DialogTables,
    OutboxTables {}
