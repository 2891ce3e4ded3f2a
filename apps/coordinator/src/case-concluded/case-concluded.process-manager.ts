import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { StoredEvent } from '@lianban/contracts';
import { AppealEventTypes, caseDecider, DomainError, type AppealDecided } from '@lianban/domain';
import { StreamConflictError } from '@lianban/eventstore';
import { CaseCommandRunner, CaseReader, CONFIG, derivedEventId, EventConsumers, isCaseOfOtherRegion, type LianbanConfig } from '@lianban/platform';
import { COORDINATOR_CONSUMER } from '../case-answered/case-answered.process-manager';

export const CASE_CONCLUDED_SUBSCRIBER = 'coordinator.case-concluded';

const MAX_ATTEMPTS = 5;

/**
 * Turns the 复核 decision (in the re-reviewing agency's task stream) into 终结 on the case
 * stream (Art. 36), the way the case-answered process manager turns the lead's reply into the
 * answer. Idempotent through the store: the conclusion's event id is derived from the decision's.
 */
@Injectable()
export class CaseConcludedProcessManager implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    @Inject(CONFIG) private readonly config: LianbanConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.register({ consumer: COORDINATOR_CONSUMER, source: { topic: 'case-events' }, reaction: 'case-concluded', react: (e) => this.react(e) });
  }

  /** true when this call appended the conclusion */
  async react(e: StoredEvent): Promise<boolean> {
    if (e.type !== AppealEventTypes.AppealDecided) return false;
    const decision = e.data as AppealDecided['data'];
    if (decision.kind !== 're-review') return false;
    const concludedId = derivedEventId(CASE_CONCLUDED_SUBSCRIBER, e.id);
    for (let attempt = 1; ; attempt++) {
      const found = await this.reader.file(e.caseId);
      // a joint case of the other region is concluded there (see the case-answered process manager)
      if (!found || isCaseOfOtherRegion(this.config, found.file.region) || found.events.some((x) => x.id === concludedId)) return false;
      const at = Date.parse(found.file.lastEventAt) > Date.parse(e.occurredAt) ? found.file.lastEventAt : e.occurredAt;
      try {
        await this.runner.run({
          caseId: e.caseId, streamId: `case-${e.caseId}`, decider: caseDecider, actor: { id: 'coordinator/case-concluded', role: 'system' },
          causationId: e.id, eventIds: [concludedId], command: { kind: 'RecordCaseConcluded', at, appealId: decision.appealId, decisionEventId: e.id },
        });
        return true;
      } catch (err) {
        if (err instanceof DomainError && err.code === 'CASE_ALREADY_CONCLUDED') return false;
        if (err instanceof StreamConflictError && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
  }
}
