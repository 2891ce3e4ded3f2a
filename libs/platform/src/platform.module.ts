import * as path from 'node:path';
import { DynamicModule, Global, Inject, Logger, MiddlewareConsumer, Module, NestModule, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthGuard, SqliteKeyVault, TokenService, type PersonalDataVault } from '@lianban/auth';
import { createEventStore, type EventStore } from '@lianban/eventstore';
import { createMessageBus, type MessageBus } from '@lianban/messaging';
import { Registry } from '@lianban/registry';
import { CaseCommandRunner } from './case-command-runner';
import { CaseReader } from './case-reader';
import { CaseFilesProjection } from './case-files.projection';
import { EventFeed } from './event-feed';
import type { LianbanConfig } from './config';
import { HealthController } from './health.controller';
import { HlcService } from './hlc.service';
import { HttpErrorFilter } from './http-errors';
import { HttpMetricsMiddleware, Metrics, MetricsController } from './metrics';
import { PersonalDataService } from './personal-data.service';
import { CONFIG, EVENT_STORE, MESSAGE_BUS, VAULT } from './tokens';

class PlatformShutdown implements OnApplicationShutdown {
  private readonly log = new Logger('platform');
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(VAULT) private readonly vault: PersonalDataVault,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    for (const [name, close] of [['bus', () => this.bus.close()], ['store', () => this.store.close()], ['vault', () => this.vault.close()]] as const) {
      await close().catch((e: unknown) => this.log.warn(`closing the ${name} failed: ${String(e)}`));
    }
  }
}

/**
 * The ports and cross-cutting pieces every Lianban app needs, chosen by configuration:
 * the event store adapter, the bus adapter, the registry, tokens, the personal-data vault,
 * the HLC, the read–decide–append runner, error mapping and the auth guard.
 */
@Global()
@Module({})
export class PlatformModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }

  static forRoot(config: LianbanConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [CqrsModule.forRoot()],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: EVENT_STORE,
          useFactory: () => createEventStore({
            kind: config.eventStore, dataDir: config.dataDir, databaseUrl: config.databaseUrl ?? undefined,
            connectionString: config.eventStoreConnectionString ?? undefined,
          }),
        },
        { provide: MESSAGE_BUS, useFactory: () => createMessageBus({ kind: config.bus, brokers: config.kafkaBrokers, clientId: `lianban-${config.region}` }) },
        { provide: VAULT, useFactory: () => new SqliteKeyVault(path.join(config.dataDir, 'keys.sqlite')) },
        { provide: Registry, useValue: new Registry() },
        { provide: TokenService, useValue: new TokenService(config.authSecret) },
        HlcService,
        CaseCommandRunner,
        CaseReader,
        PersonalDataService,
        EventFeed,
        CaseFilesProjection,
        Metrics,
        PlatformShutdown,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
      exports: [CONFIG, EVENT_STORE, MESSAGE_BUS, VAULT, Registry, TokenService, HlcService, CaseCommandRunner, CaseReader, PersonalDataService, EventFeed, CaseFilesProjection, Metrics, CqrsModule],
    };
  }
}
