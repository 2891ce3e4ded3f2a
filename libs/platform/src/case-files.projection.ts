import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { evolveCaseFile, type CaseFile } from '@lianban/domain';
import type { EventStore } from '@lianban/eventstore';
import { EVENT_STORE } from './tokens';

/**
 * Every case of the region folded into its CaseFile, kept in memory and followed live from
 * the store. Rebuilt from the store at start-up (the store is the truth; this is a cache of
 * it), then polled for new events. Serves lists — inboxes, overviews — that would otherwise
 * scan the store; single-case reads go to the store itself.
 */
@Injectable()
export class CaseFilesProjection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('case-files');
  private readonly files = new Map<string, CaseFile>();
  private position = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.catchUp();
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.catchUp().catch((e: unknown) => this.log.error(`following the store failed: ${String(e)}`)).finally(() => this.schedule());
    }, 100);
    this.timer.unref();
  }

  /** read everything after our position; also usable to force freshness before answering */
  async catchUp(): Promise<void> {
    for (;;) {
      const batch = await this.store.readAll({ after: this.position, limit: 1000 });
      for (const e of batch) {
        this.position = e.position;
        const next = evolveCaseFile(this.files.get(e.caseId) ?? null, e);
        if (next) this.files.set(e.caseId, next);
      }
      if (batch.length < 1000) return;
    }
  }

  all(): IterableIterator<CaseFile> {
    return this.files.values();
  }

  get(caseId: string): CaseFile | undefined {
    return this.files.get(caseId);
  }
}
