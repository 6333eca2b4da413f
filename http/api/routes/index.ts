import type { ApiApp, ApiDeps } from '../env.ts';
import { registerListMessages } from './messages/list.ts';
import { registerGetMessage } from './messages/get.ts';
import { registerGetMessagePhoto } from './messages/photo.ts';
import { registerAcceptMessage } from './moderation/accept.ts';
import { registerRejectMessage } from './moderation/reject.ts';
import { registerPublishMessage } from './moderation/publish.ts';
import { registerUnpublishMessage } from './moderation/unpublish.ts';
import { registerChangeMessageCategory } from './moderation/change-category.ts';
import { registerMarkDuplicate } from './moderation/mark-duplicate.ts';
import { registerListAnswers } from './answers/list.ts';
import { registerDraftAnswer } from './answers/draft.ts';
import { registerReviseAnswer } from './answers/revise.ts';
import { registerApproveAnswer } from './answers/approve.ts';
import { registerReturnAnswer } from './answers/return.ts';
import { registerCreateComment } from './comments/create.ts';
import { registerListMunicipalities } from './municipalities/list.ts';
import { registerGetMunicipality } from './municipalities/get.ts';
import { registerCreateMunicipality } from './municipalities/create.ts';
import { registerUpdateMunicipality } from './municipalities/update.ts';
import { registerSetMunicipalityBoundary } from './municipalities/boundary.ts';
import { registerListSectors } from './categories/list-sectors.ts';
import { registerListCategories } from './categories/list.ts';
import { registerCreateCategory } from './categories/create.ts';
import { registerUpdateCategory } from './categories/update.ts';
import { registerListExecutors } from './executors/list.ts';
import { registerCreateExecutor } from './executors/create.ts';
import { registerUpdateExecutor } from './executors/update.ts';
import { registerListRoutingRules } from './routing-rules/list.ts';
import { registerSetRoutingRule } from './routing-rules/set.ts';
import { registerDeleteRoutingRule } from './routing-rules/delete.ts';
import { registerListKpiResponsibles } from './kpi-responsibles/list.ts';
import { registerAssignKpiResponsible } from './kpi-responsibles/assign.ts';
import { registerRemoveKpiResponsible } from './kpi-responsibles/remove.ts';
import { registerListStaff } from './staff/list.ts';
import { registerGetStaff } from './staff/get.ts';
import { registerCreateStaff } from './staff/create.ts';
import { registerUpdateStaff } from './staff/update.ts';
import { registerIssueKey } from './keys/issue.ts';
import { registerListKeys } from './keys/list.ts';
import { registerRevokeKey } from './keys/revoke.ts';
import { registerListAudit } from './audit/list.ts';
import { registerGetMe } from './me/get.ts';
import { registerMarkUrgent } from './moderation/mark-urgent.ts';
import { registerIssueLinkCode } from './staff/link-code.ts';
import { registerUnlinkStaffIdentity } from './staff/unlink.ts';
import { registerListAlerts } from './alerts/list.ts';
import { registerListJobRuns } from './jobs/list-runs.ts';
import { registerListDeadOutbox } from './outbox/list-dead.ts';
import { registerRetryDeadOutbox } from './outbox/retry.ts';
import { registerListBroadcasts } from './broadcasts/list.ts';
import { registerGetBroadcast } from './broadcasts/get.ts';
import { registerCreateBroadcast } from './broadcasts/create.ts';
import { registerCancelBroadcast } from './broadcasts/cancel.ts';
import { registerUploadMedia } from './media/upload.ts';
import { registerGetMedia } from './media/get.ts';
import { registerHeatmap } from './stats/heatmap.ts';
import { registerSlices } from './stats/slices.ts';
import { registerListSessions } from './sessions/list.ts';
import { registerRevokeSession } from './sessions/revoke.ts';
import { registerCreatePoll } from './polls/create.ts';
import { registerListPolls } from './polls/list.ts';
import { registerGetPoll } from './polls/get.ts';
import { registerUpdatePoll } from './polls/update.ts';
import { registerPublishPoll } from './polls/publish.ts';
import { registerClosePoll } from './polls/close.ts';
import { registerPollResults } from './polls/results.ts';
import { registerPollDecision } from './polls/decision.ts';
import { registerCreateDirectLine } from './direct-lines/create.ts';
import { registerListDirectLines } from './direct-lines/list.ts';
import { registerListDirectLineQuestions } from './direct-lines/questions.ts';
import { registerAnswerDirectLineQuestion } from './direct-lines/answer.ts';

/** Every route of the admin API, one file each; a test checks that the OpenAPI document lists them all. */
export const ROUTES: ((app: ApiApp, deps: ApiDeps) => void)[] = [
  registerListMessages,
  registerGetMessage,
  registerGetMessagePhoto,
  registerAcceptMessage,
  registerRejectMessage,
  registerPublishMessage,
  registerUnpublishMessage,
  registerChangeMessageCategory,
  registerMarkDuplicate,
  registerMarkUrgent,
  registerListAnswers,
  registerDraftAnswer,
  registerReviseAnswer,
  registerApproveAnswer,
  registerReturnAnswer,
  registerCreateComment,
  registerListMunicipalities,
  registerGetMunicipality,
  registerCreateMunicipality,
  registerUpdateMunicipality,
  registerSetMunicipalityBoundary,
  registerListSectors,
  registerListCategories,
  registerCreateCategory,
  registerUpdateCategory,
  registerListExecutors,
  registerCreateExecutor,
  registerUpdateExecutor,
  registerListRoutingRules,
  registerSetRoutingRule,
  registerDeleteRoutingRule,
  registerListKpiResponsibles,
  registerAssignKpiResponsible,
  registerRemoveKpiResponsible,
  registerListStaff,
  registerGetStaff,
  registerCreateStaff,
  registerUpdateStaff,
  registerIssueLinkCode,
  registerUnlinkStaffIdentity,
  registerIssueKey,
  registerListKeys,
  registerRevokeKey,
  registerListAudit,
  registerGetMe,
  registerListAlerts,
  registerListJobRuns,
  registerListDeadOutbox,
  registerRetryDeadOutbox,
  registerListBroadcasts,
  registerGetBroadcast,
  registerCreateBroadcast,
  registerCancelBroadcast,
  registerUploadMedia,
  registerGetMedia,
  registerHeatmap,
  registerSlices,
  registerListSessions,
  registerRevokeSession,
  registerCreatePoll,
  registerListPolls,
  registerGetPoll,
  registerUpdatePoll,
  registerPublishPoll,
  registerClosePoll,
  registerPollResults,
  registerPollDecision,
  registerCreateDirectLine,
  registerListDirectLines,
  registerListDirectLineQuestions,
  registerAnswerDirectLineQuestion,
];
