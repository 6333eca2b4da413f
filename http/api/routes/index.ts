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
import { registerGetCalendar } from './calendars/get.ts';
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
import { registerReopenMessage } from './moderation/reopen.ts';
import { registerModerationSuggestions } from './moderation/suggestions.ts';
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
import { registerCreateNews } from './news/create.ts';
import { registerListNews } from './news/list.ts';
import { registerGetNews } from './news/get.ts';
import { registerUpdateNews } from './news/update.ts';
import { registerPublishNews } from './news/publish.ts';
import { registerArchiveNews } from './news/archive.ts';
import { registerCreateEvent } from './events/create.ts';
import { registerListEvents } from './events/list.ts';
import { registerGetEvent } from './events/get.ts';
import { registerUpdateEvent } from './events/update.ts';
import { registerPublishEvent } from './events/publish.ts';
import { registerCancelEvent } from './events/cancel.ts';
import { registerListItemComments } from './comments/list.ts';
import { registerHideItemComment } from './comments/hide.ts';
import { registerReplyItemComment } from './comments/reply.ts';
import { registerApproveItemComment } from './comments/approve.ts';
import { registerSetCommentPolicy } from './comments/policy.ts';
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
import { registerWithdrawDirectLine } from './direct-lines/withdraw.ts';
import { registerListIncidents } from './incidents/list.ts';
import { registerCreateIncident } from './incidents/create.ts';
import { registerGetIncident } from './incidents/get.ts';
import { registerGetIncidentPhoto } from './incidents/photo.ts';
import { registerAcceptIncident } from './incidents/accept.ts';
import { registerDismissIncident } from './incidents/dismiss.ts';
import { registerListSourcesIncident } from './incident-sources/list.ts';
import { registerCreateSourceIncident } from './incident-sources/create.ts';
import { registerUpdateSourceIncident } from './incident-sources/update.ts';
import { registerDeleteSourceIncident } from './incident-sources/delete.ts';
import { registerListRulesIncident } from './incident-rules/list.ts';
import { registerCreateRuleIncident } from './incident-rules/create.ts';
import { registerUpdateRuleIncident } from './incident-rules/update.ts';
import { registerDeleteRuleIncident } from './incident-rules/delete.ts';
import { registerPublishedReply } from './messages/published-reply.ts';
import { registerCreateSector } from './categories/create-sector.ts';
import { registerUpdateSector } from './categories/update-sector.ts';
import { registerRouteMessage } from './moderation/route-executor.ts';
import { registerMyQueue } from './me/queue.ts';
import { registerListUnansweredComments } from './comments/unanswered.ts';
import { registerCreateContest } from './contests/create.ts';
import { registerListContests } from './contests/list.ts';
import { registerGetContest } from './contests/get.ts';
import { registerUpdateContest } from './contests/update.ts';
import { registerPublishContest } from './contests/publish.ts';
import { registerWithdrawContest } from './contests/withdraw.ts';
import { registerListContestEntries } from './contests/list-entries.ts';
import { registerAcceptContestEntry } from './contests/accept-entry.ts';
import { registerRejectContestEntry } from './contests/reject-entry.ts';
import { registerChooseContestWinners } from './contests/winners.ts';
import { registerRunContestDraw } from './contests/draw.ts';
import { registerGetContestDraw } from './contests/get-draw.ts';
import { registerContestResults } from './contests/results.ts';
import { registerSystemHealth } from './system/health.ts';
import { registerGetKpi } from './kpi/get.ts';
import { registerListKpiIndicators } from './kpi/indicators.ts';
import { registerKpiRegion } from './kpi/region.ts';
import { registerRecomputeKpi } from './kpi/recompute.ts';
import { registerCreateKpiPlacement } from './kpi/placements-create.ts';
import { registerListKpiPlacements } from './kpi/placements-list.ts';
import { registerCreateKpiPublication } from './kpi/publications-create.ts';
import { registerListKpiPublications } from './kpi/publications-list.ts';
import { registerMonthlyReport, registerMonthlyReportTables } from './reports/monthly.ts';
import { registerOpenSourceSummary, registerOpenSourceSummaryTables } from './reports/open-sources.ts';
import { registerExecutorRatings } from './ratings/executors.ts';
import { registerMunicipalityRatings } from './ratings/municipalities.ts';
import { registerSaveKpiGroup } from './kpi-groups/save.ts';
import { registerListKpiGroups } from './kpi-groups/list.ts';

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
  registerReopenMessage,
  registerModerationSuggestions,
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
  registerGetCalendar,
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
  registerCreateNews,
  registerListNews,
  registerGetNews,
  registerUpdateNews,
  registerPublishNews,
  registerArchiveNews,
  registerCreateEvent,
  registerListEvents,
  registerGetEvent,
  registerUpdateEvent,
  registerPublishEvent,
  registerCancelEvent,
  registerListItemComments,
  registerHideItemComment,
  registerReplyItemComment,
  registerApproveItemComment,
  registerSetCommentPolicy,
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
  registerWithdrawDirectLine,
  registerListIncidents,
  registerCreateIncident,
  registerGetIncident,
  registerGetIncidentPhoto,
  registerAcceptIncident,
  registerDismissIncident,
  registerListSourcesIncident,
  registerCreateSourceIncident,
  registerUpdateSourceIncident,
  registerDeleteSourceIncident,
  registerListRulesIncident,
  registerCreateRuleIncident,
  registerUpdateRuleIncident,
  registerDeleteRuleIncident,
  registerPublishedReply,
  registerCreateSector,
  registerUpdateSector,
  registerRouteMessage,
  registerMyQueue,
  registerListUnansweredComments,
  registerCreateContest,
  registerListContests,
  registerGetContest,
  registerUpdateContest,
  registerPublishContest,
  registerWithdrawContest,
  registerListContestEntries,
  registerAcceptContestEntry,
  registerRejectContestEntry,
  registerChooseContestWinners,
  registerRunContestDraw,
  registerGetContestDraw,
  registerContestResults,
  registerSystemHealth,
  registerGetKpi,
  registerListKpiIndicators,
  registerKpiRegion,
  registerRecomputeKpi,
  registerCreateKpiPlacement,
  registerListKpiPlacements,
  registerCreateKpiPublication,
  registerListKpiPublications,
  registerMonthlyReport,
  registerMonthlyReportTables,
  registerOpenSourceSummary,
  registerOpenSourceSummaryTables,
  registerExecutorRatings,
  registerMunicipalityRatings,
  registerSaveKpiGroup,
  registerListKpiGroups,
];
