import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  caseDecider, CaseEventTypes, deadlineDecider, DomainError, dueDeadlineFlags, dueSupervisions, holdsTask, supervisionWatchDecider, type CaseFile,
  type DeadlineFlag, type SupervisionIssued, type SupervisionPolicy,
} from '@lianban/domain';
import { CaseCommandRunner, CaseFilesProjection, CaseReader, CONFIG, keptHere, type LianbanConfig } from '@lianban/platform';
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
  /** 督办 issued by the watch (Art. 40): automatic for a passed limit, or escalated for a late answer */
  supervised: { caseId: string; supervisionId: string; agencyId: string; supervisorId: string | null; limitId: string | null; escalatedFrom: string | null }[];
  /** cases left alone: history dated after this check, or driven by X-Lianban-Clock (timer ticks in dev mode) */
  skipped: { caseId: string; reason: string }[];
}

/** A case whose last event was stored this far from the time it claims was acted at with X-Lianban-Clock. */
const SHIFTED_CLOCK_MS = 3_600_000;

/**
 * The deadline watch (DESIGN 4.1): on every tick it moves the open tasks of abolished agencies
 * to their successors (Art. 24), raises the 预警 and overdue flags that are due, and issues the
 * 督办 that are due (Art. 40: automatic for an agency's passed limit when configured, escalated
 * one division level up for a late written answer), each as an event on the case stream.
 *
 * Restart-safe without any state of its own: what it has done is in the store. Every flag is
 * keyed by its limit and due date and the deadline decider refuses to raise one twice, every
 * transfer moves only a task still held — so a tick repeated, overlapping a restart, or run
 * by two coordinators at once changes nothing, and the first tick after downtime (one runs at
 * start-up) raises everything that fell due meanwhile. The same holds for 督办: an automatic
 * one is keyed by the limit and due date it follows, an escalation by the 督办 it escalates.
 *
 * It reads which cases to look at from the case-file projection (the event stream folded), and
 * decides each one on the store's own events through the runner, never on the projection.
 *
 * With two regions (DESIGN 6) it watches the cases its region keeps — every task of them,
 * including the other province's agencies' tasks: the flags and 督办 are the case record's, which
 * only the home region writes, and the agency learns of them from the copy. The other region's
 * joint cases held here as copies are that region's watch's business and are passed over.
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
    const report: WatchReport = { at, checked: 0, transferred: [], flagged: [], supervised: [], skipped: [] };
    await this.files.catchUp();
    const named = caseIds ? caseIds.map((id) => this.files.get(id)).filter((f): f is CaseFile => !!f) : [...this.files.all()];
    const files = named.filter((f) => keptHere(this.config, f.region));
    // a copy named explicitly is answered; a sweep passes copies over without a word
    if (caseIds) for (const f of named) if (!files.includes(f)) report.skipped.push({ caseId: f.caseId, reason: `a case of region ${f.region}: its limits are watched there` });
    for (const file of files) {
      const transfers = this.transfersDue(file, at);
      const policy = this.supervisionPolicy(file, at);
      if (transfers.length === 0 && dueDeadlineFlags(file, at, this.config.deadlineWarningDays).length === 0 && dueSupervisions(file, at, policy).length === 0) continue;
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
    if (report.transferred.length + report.flagged.length + report.supervised.length > 0) {
      this.log.log(`at ${at}: ${report.transferred.length} task(s) transferred, ${report.flagged.length} flag(s) raised, ${report.supervised.length} 督办 issued`);
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
    // Read after the transfers and flags, so a successor is supervised rather than the abolished
    // agency. The decider decides again on the store's history at append time and issues only
    // what is still due then (a second coordinator may have been first): a key gone stale is unused.
    const file = (await this.reader.file(caseId))?.file;
    if (!file) return;
    const policy = this.supervisionPolicy(file, at);
    const due = dueSupervisions(file, at, policy);
    if (due.length === 0) return;
    const issued = await this.runner.run({
      caseId, streamId: `case-${caseId}`, decider: supervisionWatchDecider, actor, causationId: `watch:${at}`,
      command: { kind: 'SuperviseOverdue', at, policy, ids: Object.fromEntries(due.map((d) => [d.key, randomUUID()])) },
    });
    for (const e of issued) {
      const d = e.data as SupervisionIssued['data'];
      report.supervised.push({
        caseId, supervisionId: d.supervisionId, agencyId: d.agencyId, supervisorId: d.supervisorId ?? null, limitId: d.automatic?.limitId ?? null,
        escalatedFrom: d.escalatedFrom ?? null,
      });
    }
  }

  /**
   * The configured supervision and the registry's answers for this case: the petition bureau
   * over each agency (of its own division; a bureau is supervised by the one above it), and the
   * bureau one division level above each supervising bureau.
   */
  private supervisionPolicy(file: CaseFile, at: string): SupervisionPolicy {
    const supervisorOf: Record<string, string | null> = {};
    const bureauAbove: Record<string, string | null> = {};
    const agencies = new Set([...file.tasks.map((t) => t.agencyId), ...file.appeals.map((a) => a.reviewerAgencyId), ...file.supervisions.map((s) => s.agencyId)]);
    for (const id of agencies) supervisorOf[id] = this.supervisorOf(id, at);
    const bureaus = new Set([...Object.values(supervisorOf), ...file.supervisions.map((s) => s.supervisorId)].filter((b): b is string => !!b));
    for (const b of bureaus) bureauAbove[b] = this.bureauAbove(b, at);
    return {
      automaticKinds: this.config.autoSupervisionLimits, escalate: this.config.supervisionEscalation, answerDays: this.config.supervisionAnswerDays,
      supervisorOf, bureauAbove,
    };
  }

  private supervisorOf(agencyId: string, at: string): string | null {
    const agency = this.registry.agency(agencyId, at);
    if (!agency) return null;
    if (agency.kind === 'petition-bureau') return this.bureauAbove(agencyId, at);
    try {
      return this.registry.petitionBureauOf(agency.divisionCode, at)?.id ?? null;
    } catch {
      return null;
    }
  }

  private bureauAbove(bureauId: string, at: string): string | null {
    const bureau = this.registry.agency(bureauId, at);
    if (!bureau) return null;
    try {
      const parent = this.registry.parentDivision(bureau.divisionCode, at);
      return parent ? this.registry.petitionBureauOf(parent.code, at)?.id ?? null : null;
    } catch {
      return null;
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
