import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { EventStore } from '@lianban/eventstore';
import type { MessageBus } from '@lianban/messaging';
import type { LianbanConfig } from './config';
import { EventConsumers } from './consumers/event-consumers';
import { OutboxRelay } from './relay/outbox-relay';
import { CONFIG, EVENT_STORE, MESSAGE_BUS } from './tokens';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(CONFIG) private readonly config: LianbanConfig,
    private readonly relay: OutboxRelay,
    private readonly consumers: EventConsumers,
  ) {}

  /** 200 when the store and the bus answer, 503 otherwise, with what failed. */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const store = await this.store.headPosition().then(
      (head) => ({ ok: true, kind: this.store.kind, head }),
      (e: unknown) => ({ ok: false, kind: this.store.kind, detail: e instanceof Error ? e.message : String(e) }),
    );
    const bus = { kind: this.bus.kind, ...(await this.bus.health().catch((e: unknown) => ({ ok: false, detail: String(e) }))) };
    const ok = store.ok && bus.ok;
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: ok ? 'ok' : 'degraded', region: this.config.region, mode: this.config.embedded ? 'embedded' : 'distributed', store, bus,
      relay: this.relay.running, consumers: this.consumers.describe(),
    });
  }
}
