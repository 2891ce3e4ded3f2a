import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { StoredEvent } from '@lianban/contracts';
import { TaskForceEventTypes, type TaskForceFormed } from '@lianban/domain';
import {
  CaseCommandRunner, CaseReader, CONFIG, derivedEventId, EventConsumers, keptHere, reactOnCase, type LianbanConfig, type ReactionOutcome,
} from '@lianban/platform';
import { COORDINATOR_CONSUMER } from '../case-answered/case-answered.process-manager';

const LINKS = 'coordinator.task-force-cases';

/**
 * Puts the `task-force-joined` link on the stream of each case a task force takes up: the link
 * is what brings the task force's events into the case's timeline, and the case into its
 * leader's 包案 list.
 *
 * The coordinator links right after forming the task force, and this process manager links
 * again from the stored `formed` event, so a crash between the two appends leaves no case
 * unlinked. Both derive the link's event id from the formation and the case, and the case
 * decider links a task force once: whichever comes second changes nothing.
 *
 * A task force formed in the other region reaches this store as a copy (it took up a joint
 * case): its links are that region's to write, on cases it keeps, and arrive here as copies too.
 */
@Injectable()
export class TaskForceCaseLinks implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    @Inject(CONFIG) private readonly config: LianbanConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.register({ consumer: COORDINATOR_CONSUMER, source: { topic: 'case-events' }, reaction: 'task-force-cases', react: (e) => this.react(e) });
  }

  async react(e: StoredEvent): Promise<ReactionOutcome> {
    if (e.type !== TaskForceEventTypes.TaskForceFormed || !keptHere(this.config, e.region)) return 'ignored';
    const linked = await this.linkAll(e);
    return linked > 0 ? 'applied' : 'duplicate';
  }

  /** links every case of the formation not yet linked; answers how many it linked */
  async linkAll(formed: StoredEvent): Promise<number> {
    let linked = 0;
    for (const caseId of (formed.data as TaskForceFormed['data']).caseIds) if (await this.link(formed, caseId)) linked++;
    return linked;
  }

  private async link(formed: StoredEvent, caseId: string): Promise<boolean> {
    const d = formed.data as TaskForceFormed['data'];
    const outcome = await reactOnCase(this.reader, this.runner, {
      cause: formed, caseId, eventId: derivedEventId(LINKS, `${formed.id}:${caseId}`), actor: formed.actor, agencyId: formed.agencyId ?? null,
      command: (at) => ({ kind: 'JoinTaskForce', at, taskForceId: d.taskForceId, name: d.name, leader: d.leader }),
    });
    return outcome === 'applied';
  }
}
