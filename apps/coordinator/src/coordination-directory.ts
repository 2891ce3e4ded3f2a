import { Inject, Injectable } from '@nestjs/common';
import type { Region } from '@lianban/contracts';
import { evolveCampaign, evolveTaskForce, type CampaignView, type TaskForceView } from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE, StoreFollower } from '@lianban/platform';

export interface Listed<V> {
  view: V;
  region: Region;
}

/**
 * Every task force and campaign of the region, folded from their own streams, for the lists
 * (task forces with their progress, campaigns, a leader's 包案). Brought up to date from the
 * store before every answer, so what a coordinator just recorded is listed; a single task
 * force or campaign is read from its stream instead.
 */
@Injectable()
export class CoordinationDirectory {
  private readonly taskForces = new Map<string, Listed<TaskForceView>>();
  private readonly campaigns = new Map<string, Listed<CampaignView>>();
  private readonly follower: StoreFollower;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.follower = new StoreFollower(store, (e) => {
      if (e.streamId.startsWith('taskforce-')) {
        const view = evolveTaskForce(this.taskForces.get(e.caseId)?.view ?? null, e);
        if (view) this.taskForces.set(e.caseId, { view, region: e.region });
      } else if (e.streamId.startsWith('campaign-')) {
        const view = evolveCampaign(this.campaigns.get(e.caseId)?.view ?? null, e);
        if (view) this.campaigns.set(e.caseId, { view, region: e.region });
      }
    });
  }

  catchUp(): Promise<void> {
    return this.follower.catchUp();
  }

  async allTaskForces(): Promise<Listed<TaskForceView>[]> {
    await this.catchUp();
    return [...this.taskForces.values()];
  }

  async allCampaigns(): Promise<Listed<CampaignView>[]> {
    await this.catchUp();
    return [...this.campaigns.values()];
  }
}
