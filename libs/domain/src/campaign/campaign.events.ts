import type { DomainEvent } from '../shared/events';

/**
 * Events of a campaign stream `campaign-<campaignId>` (专项工作, e.g. 治理重复信访、化解信访积案),
 * written by the coordinator; correlated by the campaign's own id. Which cases it holds is told
 * by each case's own `campaign-enrolled` event, so enrolment is one append on one stream.
 */
export const CampaignEventTypes = {
  CampaignLaunched: 'lianban.campaign.launched.v1',
} as const;

export type CampaignLaunched = DomainEvent<typeof CampaignEventTypes.CampaignLaunched, {
  campaignId: string;
  name: string;
  description: string;
  /** China-local dates, both included */
  from: string;
  to: string;
  launchedBy: string | null;
}>;

export type CampaignEvent = CampaignLaunched;
