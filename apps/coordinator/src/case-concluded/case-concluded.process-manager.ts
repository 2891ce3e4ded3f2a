import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { StoredEvent } from '@lianban/contracts';
import { AppealEventTypes, type AppealDecided } from '@lianban/domain';
import { CaseCommandRunner, CaseReader, CONFIG, derivedEventId, EventConsumers, keptHere, reactOnCase, type LianbanConfig } from '@lianban/platform';
import { COORDINATOR_CONSUMER } from '../case-answered/case-answered.process-manager';

export const CASE_CONCLUDED_SUBSCRIBER = 'coordinator.case-concluded';

/**
 * Turns the 复核 decision (in the re-reviewing agency's task stream) into 终结 on the case
 * stream (Art. 36), the way the case-answered process manager turns the lead's reply into the
 * answer. Idempotent through the store: the conclusion's event id is derived from the decision's.
 * Like the answer, only the case's home region records it (DESIGN 6).
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
    const outcome = await reactOnCase(this.reader, this.runner, {
      cause: e, caseId: e.caseId, eventId: derivedEventId(CASE_CONCLUDED_SUBSCRIBER, e.id), actor: { id: 'coordinator/case-concluded', role: 'system' },
      command: (at) => ({ kind: 'RecordCaseConcluded', at, appealId: decision.appealId, decisionEventId: e.id }),
      mine: (file) => keptHere(this.config, file.region),
      settledBy: 'CASE_ALREADY_CONCLUDED',
    });
    return outcome === 'applied';
  }
}
