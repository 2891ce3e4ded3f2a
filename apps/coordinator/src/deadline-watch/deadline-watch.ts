import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  caseDecider, CaseEventTypes, deadlineDecider, DomainError, dueDeadlineFlags, holdsTask, type CaseFile, type DeadlineFlag,
} from '@lianban/domain';
import { CaseCommandRunner, CaseFilesProjection, CaseReader, CONFIG, type LianbanConfig } from '@lianban/platform';
import { Registry } from '@lianban/registry';

/** The watch's clock: the wall clock, unless a test provides its own. */
export const WATCH_CLOCK = Symbol('WatchClock');
export type WatchClock = () => string;

export interface WatchReport {
  at: string;
  /** cases looked at */
  checked: number;
  transferred: { caseId: string; fromAgencyId: string; toAgencyId: string }[];
  flagged: ({ caseId: string; type: 'warning' | 'overdue' } & Pick<DeadlineFlag, 'limitId' | 'kind' | 'agencyId' | 'dueAt'>)[];
  /** cases left alone: history dated after this check, or driven by X-Lianban-Clock (timer ticks in dev mode) */
  skipped: { caseId: string; reason: string }[];
}

/** A case whose last event was stored this far from the time it claims was acted at with X-Lianban-Clock. */
const SHIFTED_CLOCK_MS = 3_600_000;

/**
 * The deadline watch (DESIGN 4.1): on every tick it moves the open tasks of abolished agencies
 * to their successors (Art. 24) and raises the 预警 and overdue flags that are due, each as an
 * event on the case stream.
 *
 * Restart-safe without any state of its own: what it has done is in the store. Every flag is
 * keyed by its limit and due date and the deadline decider refuses to raise one twice, every
 * transfer moves only a task still held — so a tick repeated, overlapping a restart, or run
 * by two coordinators at once changes nothing, and the first tick after downtime (one runs at
 * start-up) raises everything that fell due meanwhile.
 *
 * It reads which cases to look at from the case-file projection (the event stream folded), and
 * decides each one on the store's own events through the runner, never on the projection.
 */
@Injectable()
export class DeadlineWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('deadline-watch');
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    @Inject(CONFIG) private readonly config: LianbanConfig,
    @Inject(WATCH_CLOCK) private readonly clock: WatchClock,
    private readonly files: CaseFilesProjection,
    private readonly runner: CaseCommandRunner,
    private readonly reader: CaseReader,
    private readonly registry: Registry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.deadlineWatchIntervalMs > 0) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.chain.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.run({ at: this.clock(), timer: true })
        .catch((e: unknown) => this.log.error(`tick failed: ${e instanceof Error ? e.stack : String(e)}`))
        .finally(() => this.schedule(this.config.deadlineWatchIntervalMs));
    }, delayMs);
    this.timer.unref();
  }

  /** One tick at `at`. Ticks never overlap: a second waits for the first. */
  run(opts: { at: string; caseIds?: string[]; timer?: boolean }): Promise<WatchReport> {
    const next = this.chain.then(() => this.tick(opts));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async tick({ at, caseIds, timer }: { at: string; caseIds?: string[]; timer?: boolean }): Promise<WatchReport> {
    const report: WatchReport = { at, checked: 0, transferred: [], flagged: [], skipped: [] };
    await this.files.catchUp();
    const files = caseIds ? caseIds.map((id) => this.files.get(id)).filter((f): f is CaseFile => !!f) : [...this.files.all()];
    for (const file of files) {
      const transfers = this.transfersDue(file, at);
      if (transfers.length === 0 && dueDeadlineFlags(file, at, this.config.deadlineWarningDays).length === 0) continue;
      report.checked++;
      if (Date.parse(file.lastEventAt) > Date.parse(at)) {
        report.skipped.push({ caseId: file.caseId, reason: `its history runs to ${file.lastEventAt}, after this check` });
        continue;
      }
      if (timer && (await this.drivenByDevClock(file.caseId))) {
        report.skipped.push({ caseId: file.caseId, reason: 'acted on with X-Lianban-Clock: check it at a chosen moment instead' });
        continue;
      }
      try {
        await this.checkCase(file.caseId, at, transfers, report);
      } catch (e) {
        // one case's refusal or failure never stops the watch over the others
        if (e instanceof DomainError) report.skipped.push({ caseId: file.caseId, reason: `${e.code}: ${e.message}` });
        else this.log.error(`case ${file.caseId}: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
    if (report.transferred.length + report.flagged.length > 0) {
      this.log.log(`at ${at}: ${report.transferred.length} task(s) transferred, ${report.flagged.length} flag(s) raised`);
    }
    return report;
  }

  private async checkCase(caseId: string, at: string, transfers: TransferDue[], report: WatchReport): Promise<void> {
    const actor = { id: 'coordinator/deadline-watch', role: 'system' };
    if (transfers.length > 0) {
      const moved = await this.runner.run({
        caseId, streamId: `case-${caseId}`, decider: caseDecider, actor, causationId: `watch:${at}`, command: { kind: 'TransferTasks', at, transfers },
      });
      for (const e of moved) report.transferred.push({ caseId, ...(e.data as { fromAgencyId: string; toAgencyId: string }) });
    }
    const flags = await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: deadlineDecider, actor, causationId: `watch:${at}`,
      command: { kind: 'CheckDeadlines', at, warningDays: this.config.deadlineWarningDays },
    });
    for (const e of flags) {
      const d = e.data as DeadlineFlag;
      report.flagged.push({ caseId, type: e.type === CaseEventTypes.DeadlineWarning ? 'warning' : 'overdue', limitId: d.limitId, kind: d.kind, agencyId: d.agencyId, dueAt: d.dueAt });
    }
  }

  /** tasks still held by an agency the registry says no longer exists, with the successor that inherits them (Art. 24) */
  private transfersDue(file: CaseFile, at: string): TransferDue[] {
    const out: TransferDue[] = [];
    for (const t of file.tasks.filter(holdsTask)) {
      const agency = this.registry.agency(t.agencyId);
      if (!agency || this.registry.isActive(t.agencyId, at)) continue;
      const successor = this.registry.successorAt(t.agencyId, at);
      if (!successor) {
        this.log.warn(`case ${file.caseId}: ${t.agencyId} no longer exists at ${at} and has no successor in force; its task stays where it is`);
        continue;
      }
      out.push({ fromAgencyId: t.agencyId, toAgencyId: successor, effectiveFrom: agency.validTo ?? at.slice(0, 10) });
    }
    return out;
  }

  /**
   * Only where X-Lianban-Clock is accepted (embedded dev mode): a case acted on at simulated
   * times (the demo, training, tests) would be flagged by a wall-clock tick at a moment its own
   * history has not reached, and every later simulated command on it would then be refused as
   * dated before the case's last event. The timer leaves such cases to explicit checks.
   */
  private async drivenByDevClock(caseId: string): Promise<boolean> {
    if (!(this.config.embedded && this.config.authMode === 'dev')) return false;
    const events = await this.reader.events(caseId);
    return events.some((e) => Math.abs(Date.parse(e.recordedAt) - Date.parse(e.occurredAt)) > SHIFTED_CLOCK_MS);
  }
}

type TransferDue = { fromAgencyId: string; toAgencyId: string; effectiveFrom: string };
