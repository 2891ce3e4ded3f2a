/** The words of the procedure (DESIGN 4.1, 7), shared by deciders, DTOs and views. */

/** 信访渠道: the five statutory channels plus WeChat and the mobile app */
export const CHANNELS = ['letter', 'visit', 'online', 'phone', 'video', 'wechat', 'app'] as const;
export type Channel = (typeof CHANNELS)[number];
/** channels counted as 网上信访 */
export const ONLINE_CHANNELS: readonly Channel[] = ['online', 'wechat', 'app'];

/** 诉求类别 (Art. 29–31): 建议意见, 检举控告, 申诉求决 */
export const DEMAND_CLASSES = ['suggestion', 'accusation', 'claim'] as const;
export type DemandClass = (typeof DEMAND_CLASSES)[number];

/** where the bureau sends a matter: the petition track, or a statutory procedure (诉访分离) */
export const ROUTES = ['petition', 'litigation', 'arbitration', 'administrative-review', 'party-appeal', 'discipline'] as const;
export type Route = (typeof ROUTES)[number];

/** 转送 (forward) or 交办 (assign: the result is reported back to the bureau) */
export const ASSIGNMENT_MODES = ['forward', 'assign'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

/** 主办 (lead) or 协办 (co-handler), Art. 24 */
export const TASK_ROLES = ['lead', 'co'] as const;
export type TaskRole = (typeof TASK_ROLES)[number];

/** 处理意见 (Art. 32): 支持 / 解释说明 / 不予支持 */
export const REPLY_OUTCOMES = ['support', 'explain', 'not-support'] as const;
export type ReplyOutcome = (typeof REPLY_OUTCOMES)[number];

/** 满意 / 基本满意 / 不满意 */
export const RATINGS = ['satisfied', 'basically-satisfied', 'dissatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

/** 办理措施 an agency records while handling */
export const ACTION_KINDS = ['investigation', 'site-visit', 'mediation', 'hearing', 'meeting', 'inspection', 'payment-plan', 'other'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** 复查 (review, Art. 35) or 复核 (re-review, Art. 36) */
export const APPEAL_KINDS = ['review', 're-review'] as const;
export type AppealKind = (typeof APPEAL_KINDS)[number];

/** what the reviewing agency does with the decision under appeal */
export const APPEAL_OUTCOMES = ['uphold', 'revise', 'overturn'] as const;
export type AppealOutcome = (typeof APPEAL_OUTCOMES)[number];

/** 《信访工作条例》limits, in 日 (calendar days) unless named otherwise */
export const LIMITS = {
  /** Art. 22: the bureau routes a registered matter within 15 日 */
  routeDays: 15,
  /** Art. 23: the agency tells the petitioner it has received the matter within 15 日 */
  acknowledgeDays: 15,
  /** Art. 23: an agency that is not competent returns the matter within 5 工作日 of receipt */
  returnWorkingDays: 5,
  /** Art. 34: handled within 60 日 of acceptance */
  handleDays: 60,
  /** Art. 34: the agency head may extend once, by at most 30 日 */
  extensionMaxDays: 30,
  /** Art. 35, 36: the petitioner asks for 复查 / 复核 within 30 日 of the answer */
  appealRequestDays: 30,
  /** Art. 35, 36: the reviewing agency decides within 30 日 (a 复核 hearing's days not counted) */
  appealDecisionDays: 30,
  /**
   * Art. 40 sets no number for the written answer to 督办. 15 日 is this project's choice, the
   * same span the 条例 gives for routing and acknowledging.
   */
  supervisionAnswerDays: 15,
} as const;

/**
 * The limits the deadline watch follows and the petitioner view lists. The petitioner's own
 * windows (review-request, re-review-request) are shown but never flagged: missing them is a
 * right not used, not a delay.
 */
export const LIMIT_KINDS = [
  'route', 'acknowledge', 'handle', 'review-request', 're-review-request', 'appeal-decision', 'supervision-answer',
] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];
export const WATCHED_LIMIT_KINDS = ['route', 'acknowledge', 'handle', 'appeal-decision', 'supervision-answer'] as const satisfies readonly LimitKind[];
export type WatchedLimitKind = (typeof WATCHED_LIMIT_KINDS)[number];

export const CHANNEL_NAMES: Record<Channel, string> = {
  letter: '来信', visit: '来访', online: '网上信访', phone: '电话', video: '视频', wechat: '微信', app: '移动客户端',
};
export const ROUTE_NAMES: Record<Route, string> = {
  petition: '信访程序', litigation: '诉讼', arbitration: '仲裁', 'administrative-review': '行政复议/裁决',
  'party-appeal': '党员申诉', discipline: '纪检监察',
};
export const OUTCOME_NAMES: Record<ReplyOutcome, string> = { support: '支持', explain: '解释说明', 'not-support': '不予支持' };
export const RATING_NAMES: Record<Rating, string> = { satisfied: '满意', 'basically-satisfied': '基本满意', dissatisfied: '不满意' };
export const ACTION_NAMES: Record<ActionKind, string> = {
  investigation: '调查核实', 'site-visit': '实地走访', mediation: '调解', hearing: '听证', meeting: '协调会',
  inspection: '劳动监察/检查', 'payment-plan': '督促制定还款计划', other: '其他措施',
};
export const APPEAL_KIND_NAMES: Record<AppealKind, string> = { review: '复查', 're-review': '复核' };
export const APPEAL_OUTCOME_NAMES: Record<AppealOutcome, string> = { uphold: '维持', revise: '变更', overturn: '撤销' };
export const LIMIT_NAMES: Record<LimitKind, string> = {
  route: '转送交办', acknowledge: '受理告知', handle: '办理答复', 'review-request': '申请复查', 're-review-request': '申请复核',
  'appeal-decision': '复查/复核决定', 'supervision-answer': '督办书面反馈',
};
export const DEMAND_CLASS_NAMES: Record<DemandClass, string> = { suggestion: '建议意见', accusation: '检举控告', claim: '申诉求决' };

/**
 * Limits an automatic 督办 may follow (Art. 40): those an agency must meet. The bureau's own
 * routing limit is not supervised by the bureau, and a late answer to 督办 escalates instead.
 */
export const AUTO_SUPERVISED_LIMIT_KINDS = ['acknowledge', 'handle', 'appeal-decision'] as const satisfies readonly WatchedLimitKind[];
export type AutoSupervisedLimitKind = (typeof AUTO_SUPERVISED_LIMIT_KINDS)[number];

/** How a 工作专班 ends: 化解 (the claim met), 息诉罢访 (accepted without it), or not resolved */
export const TASK_FORCE_OUTCOMES = ['resolved', 'settled', 'unresolved'] as const;
export type TaskForceOutcome = (typeof TASK_FORCE_OUTCOMES)[number];

/** 专题会 (a meeting on the matter) or 实地走访 / 现场查看 (a visit to the site) */
export const GATHERING_KINDS = ['meeting', 'site-visit'] as const;
export type GatheringKind = (typeof GATHERING_KINDS)[number];

export const TASK_FORCE_OUTCOME_NAMES: Record<TaskForceOutcome, string> = { resolved: '已化解', settled: '息诉罢访', unresolved: '未化解' };
export const GATHERING_NAMES: Record<GatheringKind, string> = { meeting: '专题会', 'site-visit': '实地查看' };

/** A leader (领导干部) named by a task force or a reception schedule; the division they lead in. */
export interface Leader {
  name: string;
  title: string;
  divisionCode: string;
}
