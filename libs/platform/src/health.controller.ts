import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { EventStore } from '@lianban/eventstore';
import type { BusHealth, MessageBus } from '@lianban/messaging';
import type { LianbanConfig } from './config';
import { EventConsumers } from './consumers/event-consumers';
import { CrossRegionLink } from './cross-region/cross-region.link';
import { OutboxRelay } from './relay/outbox-relay';
import { CONFIG, EVENT_STORE, MESSAGE_BUS } from './tokens';

/**
 * - `ok` (200): everything this process uses answers;
 * - `degraded` (200): it does its job, but something it uses is impaired and catches up by itself;
 * - `unavailable` (503): it cannot do its job; take it out of rotation.
 */
export type HealthStatus = 'ok' | 'degraded' | 'unavailable';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(CONFIG) private readonly config: LianbanConfig,
    private readonly relay: OutboxRelay,
    private readonly consumers: EventConsumers,
    private readonly link: CrossRegionLink,
  ) {}

  /**
   * Readiness for this process's own job, the same rule for every app:
   * - 503 `unavailable` when its store does not answer (every command and read goes to it; after
   *   a failed sync of the SQLite store's WAL the process is exiting: see ServiceExit), or when one
   *   of its own bus consumers has stopped for good (the process is then exiting so that its
   *   supervisor starts a fresh one);
   * - 200 `degraded` when the broker does not answer or one of its consumers is restarting.
   *   Intake and history never use the bus; the coordinator's and the agencies' commands go to
   *   the store, which is the outbox, and an agency's inbox still serves what it has applied;
   *   the relay and the consumers catch up by themselves once the broker is back. The broker is
   *   shared by every instance, so failing on it would take them all out of rotation at once
   *   and help nobody;
   * - 200 `ok` otherwise.
   * `problems` names what made it degraded or unavailable.
   */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const store = await this.store.headPosition().then(
      (head) => ({ ok: true, kind: this.store.kind, head }),
      (e: unknown) => ({ ok: false, kind: this.store.kind, detail: e instanceof Error ? e.message : String(e) }),
    );
    const bus: BusHealth & { kind: string } = {
      kind: this.bus.kind,
      ...(await this.bus.health().catch((e: unknown): BusHealth => ({ ok: false, detail: String(e), subscriptions: [] }))),
    };
    const own = [...this.consumers.statuses(), ...this.link.statuses()];
    const fatal: string[] = [];
    const impaired: string[] = [];
    if (!('head' in store)) fatal.push(`store: ${store.detail}`);
    for (const s of own) {
      const what = `consumer group ${s.groupId} ${s.state}${s.error ? `: ${s.error}` : ''}`;
      if (s.state === 'stopped') fatal.push(what);
      else if (s.state !== 'running') impaired.push(what);
    }
    if (!bus.ok) impaired.push(`bus: ${bus.detail ?? 'unreachable'}`);
    const status: HealthStatus = fatal.length > 0 ? 'unavailable' : impaired.length > 0 ? 'degraded' : 'ok';
    res.status(status === 'unavailable' ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK).json({
      status, region: this.config.region, mode: this.config.embedded ? 'embedded' : 'distributed', store, bus,
      relay: this.relay.running, consumers: this.consumers.describe(),
      ...(status === 'ok' ? {} : { problems: [...fatal, ...impaired] }),
    });
  }
}
