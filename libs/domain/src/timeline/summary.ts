import { CaseEventTypes as C, type CaseEvent } from '../case/case.events';
import type { Recorded } from '../shared/events';
import { ACTION_NAMES, CHANNEL_NAMES, DEMAND_CLASS_NAMES, OUTCOME_NAMES, RATING_NAMES, ROUTE_NAMES, type ActionKind } from '../shared/vocabulary';
import { TaskEventTypes as T, type TaskEvent } from '../task/task.events';

/** Names an agency as it was called at a moment (the registry answers; the domain only asks). */
export type NameAt = (agencyId: string, at: string) => string;

const day = (iso: string) => {
  // China time, the date a caseworker would write on the file
  const d = new Date(Date.parse(iso) + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
};

/** A one-line Chinese summary of an event, for timelines. Unknown types get their type name. */
export function summarize(e: Recorded & { agencyId?: string | null }, nameAt: NameAt): string {
  const ev = e as Recorded<CaseEvent | TaskEvent>;
  const who = e.agencyId ? nameAt(e.agencyId, e.occurredAt) : '';
  switch (ev.type) {
    case C.PetitionRegistered:
      return `登记${CHANNEL_NAMES[ev.data.channel]}信访事项 ${ev.data.caseNumber}：${ev.data.subject}`;
    case C.PetitionClassified:
      return ev.data.route === 'petition'
        ? `${who || '信访部门'}分类为${DEMAND_CLASS_NAMES[ev.data.demandClass]}（${ev.data.category}），按信访程序办理`
        : `${who || '信访部门'}分类为${DEMAND_CLASS_NAMES[ev.data.demandClass]}，导入${ROUTE_NAMES[ev.data.route]}程序（诉访分离）`;
    case C.AgenciesAssigned: {
      const parts = ev.data.agencies.map((a) => `${nameAt(a.agencyId, e.occurredAt)}${a.role === 'lead' ? '（主办）' : '（协办）'}`);
      return `${ev.data.mode === 'assign' ? '交办' : '转送'}${parts.join('、')}，告知期限至 ${day(ev.data.agencies[0].acknowledgeDueAt)}`;
    }
    case C.CoHandlerReleased:
      return `解除${nameAt(ev.data.agencyId, e.occurredAt)}协办：${ev.data.reason}`;
    case C.CaseAnswered:
      return `信访事项已答复（${OUTCOME_NAMES[ev.data.outcome]}），主办单位 ${nameAt(ev.data.leadAgencyId, e.occurredAt)}`;
    case C.ReplyRated:
      return `信访人评价：${RATING_NAMES[ev.data.rating]}${ev.data.comment ? `（${ev.data.comment}）` : ''}`;
    case T.TaskAccepted:
      return `${who}受理并告知信访人${ev.data.acknowledgedInTime ? '' : '（超过告知期限）'}，办理期限至 ${day(ev.data.handleDueAt)}`;
    case T.HandlingActionRecorded:
      return `${who}${ACTION_NAMES[ev.data.kind as ActionKind] ?? ev.data.kind}：${ev.data.note}`;
    case T.OpinionSubmitted:
      return `${who}提交协办意见：${ev.data.text}`;
    case T.ReplyIssued:
      return `${who}出具信访处理意见书（${OUTCOME_NAMES[ev.data.outcome]}）${ev.data.withinLimit ? '' : '，超过办理期限'}：${ev.data.text}`;
    default:
      return e.type;
  }
}
