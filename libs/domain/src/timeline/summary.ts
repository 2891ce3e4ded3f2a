import { AppealEventTypes as A, type AppealEvent } from '../appeal/appeal.events';
import { CampaignEventTypes as K, type CampaignEvent } from '../campaign/campaign.events';
import { CaseEventTypes as C, type CaseEvent, type ReceptionRecord } from '../case/case.events';
import { PersonalDataEventTypes as P } from '../petitioner/personal-data.events';
import type { Recorded } from '../shared/events';
import {
  ACTION_NAMES, APPEAL_KIND_NAMES, APPEAL_OUTCOME_NAMES, CHANNEL_NAMES, DEMAND_CLASS_NAMES, LIMIT_NAMES, OUTCOME_NAMES, RATING_NAMES,
  ROUTE_NAMES, TASK_FORCE_OUTCOME_NAMES, type ActionKind, type Leader,
} from '../shared/vocabulary';
import { TaskForceEventTypes as F, type GatheringRecord, type TaskForceEvent } from '../task-force/task-force.events';
import { TaskEventTypes as T, type TaskEvent } from '../task/task.events';

/** Names an agency as it was called at a moment (the registry answers; the domain only asks). */
export type NameAt = (agencyId: string, at: string) => string;

const day = (iso: string) => {
  // China time, the date a caseworker would write on the file
  const d = new Date(Date.parse(iso) + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
};

const leaderOf = (l: Leader) => `${l.title}${l.name}`;
const receivedAt = (r: ReceptionRecord | undefined) => (r ? `，${r.town ? `${r.town}巡回接访` : '领导接访日'}由${leaderOf(r.leader)}接待` : '');
const gathering = (g: GatheringRecord) => `${day(g.heldAt)}，${g.place}，${g.topic}（${g.attendees.length}人参加）：${g.conclusions.join('；')}`;

/** A one-line Chinese summary of an event, for timelines. Unknown types get their type name. */
export function summarize(e: Recorded & { agencyId?: string | null }, nameAt: NameAt): string {
  const ev = e as Recorded<CaseEvent | TaskEvent | AppealEvent | TaskForceEvent | CampaignEvent>;
  const who = e.agencyId ? nameAt(e.agencyId, e.occurredAt) : '';
  const name = (id: string | null) => (id ? nameAt(id, e.occurredAt) : '');
  switch (ev.type) {
    case C.PetitionRegistered:
      return `登记${CHANNEL_NAMES[ev.data.channel]}信访事项 ${ev.data.caseNumber}：${ev.data.subject}${receivedAt(ev.data.reception)}`;
    case C.PetitionClassified:
      return ev.data.route === 'petition'
        ? `${who || '信访部门'}分类为${DEMAND_CLASS_NAMES[ev.data.demandClass]}（${ev.data.category}），按信访程序办理`
        : `${who || '信访部门'}分类为${DEMAND_CLASS_NAMES[ev.data.demandClass]}，导入${ROUTE_NAMES[ev.data.route]}程序（诉访分离）`;
    case C.RoutedOut:
      return `导入${ROUTE_NAMES[ev.data.route]}程序${ev.data.agencyId ? `，移交${name(ev.data.agencyId)}` : ''}，告知信访人：${ev.data.guidance}`;
    case C.AgenciesAssigned: {
      const parts = ev.data.agencies.map((a) => `${nameAt(a.agencyId, e.occurredAt)}${a.role === 'lead' ? '（主办）' : '（协办）'}`);
      const how = ev.data.disputeId ? '依争议决定' : '';
      return `${how}${ev.data.mode === 'assign' ? '交办' : '转送'}${parts.join('、')}，告知期限至 ${day(ev.data.agencies[0].acknowledgeDueAt)}`;
    }
    case C.CoHandlerReleased:
      return `解除${nameAt(ev.data.agencyId, e.occurredAt)}协办：${ev.data.reason}`;
    case C.CaseAnswered:
      return `信访事项已答复（${OUTCOME_NAMES[ev.data.outcome]}），主办单位 ${nameAt(ev.data.leadAgencyId, e.occurredAt)}`;
    case C.ReplyRated:
      return `信访人评价：${RATING_NAMES[ev.data.rating]}${ev.data.comment ? `（${ev.data.comment}）` : ''}`;
    case C.RepeatPetitionLinked:
      return `同一信访人就同一事项${ev.data.level === 'higher' ? '向上级' : ''}重复信访（${CHANNEL_NAMES[ev.data.channel]}${receivedAt(ev.data.reception)}），并入本件办理`;
    case C.RaisedAfterConclusion:
      return `信访人就已终结事项再次信访（${CHANNEL_NAMES[ev.data.channel]}），不再受理`;
    case C.DisputeRaised:
      return `${name(ev.data.raisedBy)}对管辖提出异议（${ev.data.parties.map(name).join('、')}），报${name(ev.data.deciderId) || ev.data.deciderId}决定：${ev.data.reason}`;
    case C.DisputeDecided:
      return `${name(ev.data.deciderId) || ev.data.deciderId}决定由${name(ev.data.agencyId)}办理${ev.data.relieved.length ? `，${ev.data.relieved.map(name).join('、')}不再承办` : ''}`;
    case C.SupervisionIssued: {
      const how = ev.data.automatic ? '自动督办：' : ev.data.escalatedFrom ? '提级督办：' : '';
      return `${how}${name(ev.data.supervisorId ?? null) || who || '信访部门'}向${name(ev.data.agencyId)}发出督办，书面反馈期限至 ${day(ev.data.answerDueAt)}：${ev.data.reason}`;
    }
    case C.TaskForceJoined:
      return `纳入工作专班「${ev.data.name}」，由${leaderOf(ev.data.leader)}包案`;
    case C.CampaignEnrolled:
      return `列入专项工作「${ev.data.name}」（${ev.data.from} 至 ${ev.data.to}）`;
    case F.TaskForceFormed:
      return `成立工作专班「${ev.data.name}」，${leaderOf(ev.data.leader)}任组长包案，成员单位：${ev.data.members.map((m) => nameAt(m.agencyId, e.occurredAt)).join('、') || '无'}`;
    case F.MemberAdded:
      return `工作专班增加成员单位${name(ev.data.agencyId)}：${ev.data.duty}`;
    case F.MemberReleased:
      return `${name(ev.data.agencyId)}退出工作专班：${ev.data.reason}`;
    case F.MilestoneSet:
      return `工作专班确定工作节点「${ev.data.title}」，${day(ev.data.dueAt)} 前完成`;
    case F.MilestoneCompleted:
      return `工作专班完成节点${ev.data.late ? '（逾期）' : ''}：${ev.data.note}`;
    case F.MeetingHeld:
      return `召开专题会：${gathering(ev.data)}`;
    case F.SiteVisited:
      return `工作专班实地查看：${gathering(ev.data)}`;
    case F.TaskForceClosed:
      return `工作专班结束（${TASK_FORCE_OUTCOME_NAMES[ev.data.outcome]}）：${ev.data.summary}`;
    case K.CampaignLaunched:
      return `启动专项工作「${ev.data.name}」（${ev.data.from} 至 ${ev.data.to}）`;
    case C.AppealRequested:
      return `信访人申请${APPEAL_KIND_NAMES[ev.data.kind]}，由${name(ev.data.reviewerAgencyId)}办理，期限至 ${day(ev.data.decisionDueAt)}`;
    case C.CaseConcluded:
      return '复核意见作出，信访事项终结';
    case C.TaskTransferred:
      return `${name(ev.data.fromAgencyId)}自 ${ev.data.effectiveFrom} 撤销，其承办任务移交${name(ev.data.toAgencyId)}`;
    case C.DeadlineWarning:
      return `期限预警：${ev.data.agencyId ? name(ev.data.agencyId) : '信访部门'}${LIMIT_NAMES[ev.data.kind]}期限 ${day(ev.data.dueAt)} 届满`;
    case C.DeadlineOverdue:
      return `超期：${ev.data.agencyId ? name(ev.data.agencyId) : '信访部门'}${LIMIT_NAMES[ev.data.kind]}期限 ${day(ev.data.dueAt)} 已过${ev.data.metAt ? '（逾期办结）' : ''}`;
    case T.TaskAccepted:
      return `${who}受理并告知信访人${ev.data.acknowledgedInTime ? '' : '（超过告知期限）'}，办理期限至 ${day(ev.data.handleDueAt)}`;
    case T.HandlingActionRecorded:
      return `${who}${ACTION_NAMES[ev.data.kind as ActionKind] ?? ev.data.kind}：${ev.data.note}`;
    case T.OpinionSubmitted:
      return `${who}提交协办意见：${ev.data.text}`;
    case T.ReplyIssued:
      return `${who}出具信访处理意见书（${OUTCOME_NAMES[ev.data.outcome]}）${ev.data.withinLimit ? '' : '，超过办理期限'}：${ev.data.text}`;
    case T.TaskReturned:
      return `${who}认为不属本单位职权范围，退回信访部门：${ev.data.reason}`;
    case T.HandlingExtended:
      return `${who}负责人批准延长办理期限${ev.data.days}日至 ${day(ev.data.handleDueAt)}，已告知信访人：${ev.data.reason}`;
    case T.CompletionReportFiled:
      return `${who}向信访部门报送办结报告：${ev.data.text}`;
    case T.SupervisionAnswered:
      return `${who}书面反馈督办${ev.data.withinLimit ? '' : '（超过反馈期限）'}：${ev.data.text}`;
    case A.HearingRecorded:
      return `${who}组织听证（${day(ev.data.heldFrom)} 至 ${day(ev.data.heldTo)}，${ev.data.days}日不计入期限），复核期限至 ${day(ev.data.decisionDueAt)}`;
    case A.AppealDecided:
      return `${who}作出${APPEAL_KIND_NAMES[ev.data.kind]}意见（${APPEAL_OUTCOME_NAMES[ev.data.outcome]}）${ev.data.withinLimit ? '' : '，超过期限'}：${ev.data.text}`;
    default:
      // the reason may name the person: it stays in the store, out of every timeline
      if (e.type === P.PersonalDataErased) return '信访人个人信息已依法删除（密钥已销毁，登记内容不可再解密）';
      return e.type;
  }
}
