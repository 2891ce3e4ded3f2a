import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@lianban/eventstore';
import { CONFIG, EVENT_STORE, type LianbanConfig } from '@lianban/platform';
import type { CaseFacts } from './case-facts';
import type { FactsStore } from './facts-store';
import { FactsProjector } from './projector';
import { projectionsFile, SqliteFactsStore } from './sqlite-facts-store';

/** Nest token of the projection store (a SQLite file under DATA_DIR unless replaced). */
export const FACTS_STORE = Symbol('FactsStore');

export function createFactsStore(config: LianbanConfig): FactsStore {
  return new SqliteFactsStore(projectionsFile(config.dataDir));
}

/**
 * The history service's projection of case facts, kept from the event stream with a durable
 * checkpoint in the projection store. It follows the store in the background, and every
 * query first applies what is new (cheap when nothing is), so an answer never lags behind an
 * acknowledged command of the same region.
 */
@Injectable()
export class CaseFactsProjection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('case-facts');
  private readonly projector: FactsProjector;
  /** one catch-up at a time: the projector's trackers are not shared between two runs */
  private chain: Promise<unknown> = Promise.resolve();
  private current: { checkpoint: number; generation: number; facts: CaseFacts[] } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(FACTS_STORE) private readonly store: FactsStore,
    @Inject(CONFIG) private readonly config: LianbanConfig,
  ) {
    this.projector = new FactsProjector(events, store);
  }

  async onApplicationBootstrap(): Promise<void> {
    const rebuilt = await this.serial(() => this.projector.ensureVersion());
    if (rebuilt) this.log.log(`case facts (${this.store.kind}) are being built afresh from the event store: none stored, or built by another version`);
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.chain.catch(() => undefined);
    await this.store.close();
  }

  /** Applies every event not yet applied. */
  refresh(): Promise<number> {
    return this.serial(() => this.projector.catchUp());
  }

  /** Facts of every case as they stood at `asOf` (now when absent), after applying what is new. */
  async factsAt(asOf: string | null): Promise<CaseFacts[]> {
    await this.refresh();
    if (asOf !== null) return this.store.factsAt(asOf);
    const meta = await this.store.meta();
    if (!this.current || this.current.checkpoint !== meta.checkpoint || this.current.generation !== meta.generation) {
      this.current = { checkpoint: meta.checkpoint, generation: meta.generation, facts: await this.store.factsAt(null) };
    }
    return this.current.facts;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.refresh()
        .catch((e: unknown) => {
          if (!this.stopped) this.log.warn(`following the event store failed (retrying): ${e instanceof Error ? e.message : String(e)}`);
        })
        .finally(() => this.schedule(this.config.embedded ? 200 : 500));
    }, delayMs);
    this.timer.unref();
  }
}
