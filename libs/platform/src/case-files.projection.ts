import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { CaseFile } from '@lianban/domain';
import { readAllLean, type EventStore, type LeanEvent } from '@lianban/eventstore';
import { CaseFileSet } from './case-files.fold';
import { StoreFollower } from './store-follower';
import { EVENT_STORE } from './tokens';

/**
 * Every case of the region folded into its CaseFile, kept in memory and followed live from
 * the store. Built from the store at first use (the store is the truth; this is a cache of
 * it), then polled for new events. Serves lists — inboxes, overviews — that would otherwise
 * scan the store; single-case reads go to the store itself. What is kept per case, and how
 * compactly, is CaseFileSet's business.
 */
@Injectable()
export class CaseFilesProjection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('case-files');
  private readonly files = new CaseFileSet();
  private readonly follower: StoreFollower<LeanEvent>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.follower = new StoreFollower(store, (e) => this.files.apply(e), readAllLean);
  }

  /**
   * Only the processes that serve lists from it pay for it: the first catchUp() starts the
   * background following (a distributed agency serves its inbox from its own topic instead).
   */
  private following = false;

  async onApplicationBootstrap(): Promise<void> {
    // nothing at start-up: see catchUp()
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
  catchUp(): Promise<void> {
    if (!this.following && !this.stopped) {
      this.following = true;
      this.schedule();
    }
    return this.follower.catchUp();
  }

  all(): IterableIterator<CaseFile> {
    return this.files.values();
  }

  get(caseId: string): CaseFile | undefined {
    return this.files.get(caseId);
  }
}
