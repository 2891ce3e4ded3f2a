import type { CaseFile } from '../case-file/case-file';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/errors';
import type { Recorded } from '../shared/events';
import { isAfter } from '../shared/time';
import { CampaignEventTypes as K, type CampaignEvent } from './campaign.events';

export interface LaunchCampaign {
  kind: 'LaunchCampaign';
  at: string;
  campaignId: string;
  name: string;
  description: string;
  from: string;
  to: string;
  launchedBy: string | null;
}

export interface CampaignView {
  campaignId: string;
  name: string;
  description: string;
  from: string;
  to: string;
  launchedAt: string;
  launchedBy: string | null;
}

export type CampaignState = CampaignView | null;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function decide(c: LaunchCampaign, s: CampaignState): CampaignEvent[] {
  if (s) refuse('CAMPAIGN_EXISTS', `campaign ${c.campaignId} already exists`);
  if (!DATE.test(c.from) || !DATE.test(c.to) || c.from > c.to) refuse('CAMPAIGN_PERIOD_INVALID', `a campaign runs from a date to a later one; got ${c.from} to ${c.to}`);
  return [{
    type: K.CampaignLaunched,
    data: { campaignId: c.campaignId, name: c.name, description: c.description, from: c.from, to: c.to, launchedBy: c.launchedBy },
  }];
}

export function evolveCampaign(s: CampaignState, e: Recorded): CampaignState {
  const ev = e as Recorded<CampaignEvent>;
  if (ev.type !== K.CampaignLaunched) return s;
  const d = ev.data;
  return { campaignId: d.campaignId, name: d.name, description: d.description, from: d.from, to: d.to, launchedAt: ev.occurredAt, launchedBy: d.launchedBy };
}

export const campaignDecider: Decider<LaunchCampaign, CampaignState, CampaignEvent> = { decide, evolve: evolveCampaign, initialState: () => null };

export const campaignStreamId = (campaignId: string) => `campaign-${campaignId}`;

/**
 * 化解 as this project counts it: the case is answered, no 复查 / 复核 is pending, and the
 * petitioner rated the reply 满意 or 基本满意. A reply alone is not a resolution, and neither is
 * 终结 (the matter closed for good without the petitioner's assent).
 */
export function isResolved(f: CaseFile): boolean {
  if (!f.answer || f.appeals.some((a) => !a.decision)) return false;
  return f.rating?.rating === 'satisfied' || f.rating?.rating === 'basically-satisfied';
}

export interface CampaignCaseStats {
  caseId: string;
  caseNumber: string;
  subject: string;
  regionCode: string;
  enrolledAt: string;
  step: CaseFile['step'];
  answered: boolean;
  resolved: boolean;
  /** repeat petitions (Art. 19) linked before the case joined the campaign, and since */
  repeatsBefore: number;
  repeatsAfter: number;
}

export interface CampaignStats {
  cases: number;
  answered: number;
  resolved: number;
  /** resolved ÷ cases; null without cases */
  resolvedShare: number | null;
  repeatsBefore: number;
  repeatsAfter: number;
  /** cases with at least one repeat petition after joining: the ones still petitioning */
  casesRepeatingAfter: number;
  items: CampaignCaseStats[];
}

/**
 * The campaign's statistics over the case files as they stood at one moment (the caller folds
 * them as of it): only cases enrolled in this campaign by then count.
 */
export function campaignStats(campaignId: string, files: Iterable<CaseFile>): CampaignStats {
  const items: CampaignCaseStats[] = [];
  for (const f of files) {
    const enrolment = f.campaigns.find((c) => c.campaignId === campaignId);
    if (!enrolment) continue;
    const after = (at: string) => isAfter(at, enrolment.enrolledAt);
    items.push({
      caseId: f.caseId, caseNumber: f.caseNumber, subject: f.subject, regionCode: f.regionCode, enrolledAt: enrolment.enrolledAt, step: f.step,
      answered: f.answer !== null,
      resolved: isResolved(f),
      repeatsBefore: f.repeats.filter((r) => !after(r.at)).length,
      repeatsAfter: f.repeats.filter((r) => after(r.at)).length,
    });
  }
  items.sort((a, b) => Date.parse(a.enrolledAt) - Date.parse(b.enrolledAt) || a.caseNumber.localeCompare(b.caseNumber));
  const resolved = items.filter((i) => i.resolved).length;
  return {
    cases: items.length,
    answered: items.filter((i) => i.answered).length,
    resolved,
    resolvedShare: items.length ? resolved / items.length : null,
    repeatsBefore: items.reduce((n, i) => n + i.repeatsBefore, 0),
    repeatsAfter: items.reduce((n, i) => n + i.repeatsAfter, 0),
    casesRepeatingAfter: items.filter((i) => i.repeatsAfter > 0).length,
    items,
  };
}
