import { Injectable, Logger, type INestApplication } from '@nestjs/common';

/** the exit status of a process that stopped because a part of it stopped for good */
export const EXIT_PART_STOPPED = 1;
/** how long the shutdown hooks get before the process exits anyway */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Ends the process when a part it cannot do without has stopped for good and will not come back
 * by itself (a Kafka consumer kafkajs gave up on, the event store after a failed fsync): the supervisor (Kubernetes, systemd, compose)
 * starts a fresh process, which re-joins the group from the committed offsets. Restarting the
 * part inside the process would hide a failure that kafkajs already judged non-retriable behind a
 * loop of restarts, and keep whatever state led to it. The shutdown hooks run first (the other
 * consumers commit what they finished, the store closes), then the process exits non-zero, which
 * every supervisor treats as a failure to restart from (a death by SIGTERM is a clean stop to
 * systemd's Restart=on-failure).
 */
@Injectable()
export class ServiceExit {
  private readonly log = new Logger('service');
  private app: INestApplication | null = null;
  private exiting = false;

  /** by listen(): without an application (a test that builds the providers alone) nothing exits */
  attach(app: INestApplication): void {
    this.app = app;
  }

  get requested(): boolean {
    return this.exiting;
  }

  exitForRestart(reason: string): void {
    this.log.error(`${reason}; exiting with status ${EXIT_PART_STOPPED} so that the supervisor starts a fresh process`);
    if (this.exiting || !this.app) return;
    this.exiting = true;
    setTimeout(() => process.exit(EXIT_PART_STOPPED), SHUTDOWN_GRACE_MS).unref();
    void this.app.close()
      .catch((e: unknown) => this.log.error(`shutting down: ${String(e)}`))
      .finally(() => process.exit(EXIT_PART_STOPPED));
  }
}
