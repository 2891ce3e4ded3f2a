import * as path from 'node:path';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { CaseFile } from '@lianban/domain';
import { CONFIG, EventConsumers, type LianbanConfig } from '@lianban/platform';
import { SqliteAgencyInbox } from './sqlite-agency-inbox';

/** Where the inbox reads its cases from: the whole region's store, or the agency's own projection. */
export interface CaseFileSource {
  catchUp(): Promise<void>;
  all(): Iterable<CaseFile>;
}
export const INBOX_FILES = Symbol('InboxFiles');

/**
 * A distributed agency process (BUS=kafka, AGENCY_ID set) serves its inbox from its own topic
 * `<region>.agency.<AGENCY_ID>`, not from the shared store: the agency sees what it is sent.
 * Embedded, the inbox reads the store's CaseFiles, as one process serves every agency there.
 */
export function servesOwnInbox(config: LianbanConfig): boolean {
  return config.bus === 'kafka' && config.agencyId !== null;
}

export function agencyInboxFile(config: LianbanConfig): string {
  return path.join(config.dataDir, `agency-inbox-${config.agencyId}.sqlite`);
}

@Injectable()
export class AgencyInboxProjection implements CaseFileSource, OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('agency-inbox');
  private inbox: SqliteAgencyInbox | null = null;

  constructor(@Inject(CONFIG) private readonly config: LianbanConfig, private readonly consumers: EventConsumers) {}

  onModuleInit(): void {
    if (!servesOwnInbox(this.config)) return;
    const agencyId = this.config.agencyId!;
    const inbox = (this.inbox = new SqliteAgencyInbox(agencyInboxFile(this.config)));
    this.log.log(`inbox of ${agencyId} kept in ${inbox.file}`);
    this.consumers.register({
      consumer: `agency.${agencyId}`,
      source: { topic: 'agency', agencyId },
      reaction: 'inbox',
      react: (e) => inbox.apply(e),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.inbox?.close();
  }

  /** eventually consistent by design: what has arrived on the topic is what there is */
  async catchUp(): Promise<void> {}

  all(): Iterable<CaseFile> {
    return this.inbox?.all() ?? [];
  }
}
