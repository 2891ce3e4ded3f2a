import * as path from 'node:path';
import { DynamicModule, Global, Logger, MiddlewareConsumer, Module, NestModule, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JwksSource, PostgresKeyVault, SqliteKeyVault, TokenService, type PersonalDataVault } from '@lianban/auth';
import { createEventStore, SqliteEventStore, type EventStore } from '@lianban/eventstore';
import { createMessageBus, type MessageBus } from '@lianban/messaging';
import { Registry } from '@lianban/registry';
import { CaseCommandRunner } from './case-command-runner';
import { CaseReader } from './case-reader';
import { CaseFilesProjection } from './case-files.projection';
import { EventConsumers } from './consumers/event-consumers';
import { EventFeed } from './event-feed';
import type { LianbanConfig } from './config';
import { HealthController } from './health.controller';
import { HlcService } from './hlc.service';
import { HttpErrorFilter } from './http-errors';
import { HttpMetricsMiddleware, Metrics, MetricsController } from './metrics';
import { PersonalDataService } from './personal-data.service';
import { ServiceExit } from './service-exit';
import { OutboxRelay } from './relay/outbox-relay';
import { CrossRegionLink } from './cross-region/cross-region.link';
import { AdminController } from './security/admin.controller';
import { AuditLog } from './security/audit-log';
import { ErasureService } from './security/erasure';
import { Idempotency } from './security/idempotency';
import { JwksController } from './security/jwks.controller';
import { PolicyGuard } from './security/policy.guard';
import { PostgresSecurityStore, SqliteSecurityStore, type SecurityStore } from './security/security-store';
import { CONFIG, EVENT_STORE, MESSAGE_BUS, SECURITY_STORE, VAULT } from './tokens';

class PlatformShutdown implements OnApplicationShutdown {
  private readonly log = new Logger('platform');
  constructor(
    private readonly store: EventStore,
    /** null: the bus is the caller's (PlatformPorts), which closes it when it is done with it */
    private readonly bus: MessageBus | null,
    private readonly vault: PersonalDataVault,
    private readonly security: SecurityStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // the security tables may share the store's connection: closed before it
    for (const [name, close] of [
      ['bus', async () => this.bus?.close()], ['security tables', () => this.security.close()], ['store', () => this.store.close()], ['vault', () => this.vault.close()],
    ] as const) {
      await close().catch((e: unknown) => this.log.warn(`closing the ${name} failed: ${String(e)}`));
    }
  }
}

export interface PlatformPorts {
  bus?: MessageBus;
}

/** Dev mode: HS256 with the dev secret. jwt: the organisation's keys, and the service's own for petitioner tokens. */
export function tokenService(config: LianbanConfig): TokenService {
  if (config.authMode === 'dev') return new TokenService({ mode: 'dev', devSecret: config.authSecret, clockToleranceSec: config.authClockSkewSec });
  return new TokenService({
    mode: 'jwt', jwks: new JwksSource({ keys: config.authJwks, url: config.authJwksUrl }), signingKey: config.authSigningKey,
    issuer: config.authIssuer, audience: config.authAudience, clockToleranceSec: config.authClockSkewSec,
  });
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

  /**
   * `ports.bus`: a bus the caller owns instead of one made from config — two regions' embedded
   * deployments in one process share one in-process bus, as two deployments share a broker. The
   * app does not close it on shutdown: it outlives the app, and the caller closes it.
   */
  static forRoot(config: LianbanConfig, ports: PlatformPorts = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [CqrsModule.forRoot()],
      controllers: [HealthController, MetricsController, AdminController, JwksController],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: EVENT_STORE,
          inject: [ServiceExit],
          useFactory: async (exit: ServiceExit): Promise<EventStore> => {
            const store = await createEventStore({
              kind: config.eventStore, dataDir: config.dataDir, databaseUrl: config.databaseUrl ?? undefined,
              connectionString: config.eventStoreConnectionString ?? undefined,
            });
            // every command and read is refused until the store is opened again: by a fresh process
            store.onFailure?.((error) => exit.exitForRestart(`the event store failed for good: ${error.message}`));
            return store;
          },
        },
        { provide: MESSAGE_BUS, useFactory: () => ports.bus ?? createMessageBus({ kind: config.bus, brokers: config.kafkaBrokers, clientId: `lianban-${config.region}`, retainedMessages: config.busRetentionMessages }) },
        {
          provide: VAULT,
          // postgres: every process of the region must seal and open with the same keys, so the key
          // table lives in the event store's database. eventstoredb has no table to hold it: the key
          // table stays in SQLite under DATA_DIR, which each process must then share (one volume).
          useFactory: async (): Promise<PersonalDataVault> => {
            const vault = config.eventStore === 'postgres'
              ? await PostgresKeyVault.connect(config.databaseUrl!, { masterKey: config.masterKey })
              : new SqliteKeyVault(path.join(config.dataDir, 'keys.sqlite'), { masterKey: config.masterKey });
            // a wrong MASTER_KEY stops the start-up here, not the first read of a petitioner
            await vault.unlock();
            return vault;
          },
        },
        {
          provide: SECURITY_STORE,
          inject: [EVENT_STORE],
          // the store's own database: the SQLite file's connection, the PostgreSQL database; EventStoreDB has no tables
          useFactory: async (store: EventStore): Promise<SecurityStore> => {
            const security = store instanceof SqliteEventStore ? new SqliteSecurityStore(store.database)
              : config.eventStore === 'postgres' ? await PostgresSecurityStore.connect(config.databaseUrl!)
                : new SqliteSecurityStore(path.join(config.dataDir, 'security.sqlite'));
            // embedded: this process is the tables' only user, so a request still unanswered died with
            // the previous process (a crash): its retry must be decided, not told to wait. Distributed
            // processes share the table and wait for IDEMPOTENCY_STALE_MS instead.
            if (config.embedded) await security.releaseAbandoned();
            return security;
          },
        },
        { provide: Registry, useValue: new Registry() },
        { provide: TokenService, useValue: tokenService(config) },
        HlcService,
        CaseCommandRunner,
        CaseReader,
        PersonalDataService,
        EventFeed,
        CaseFilesProjection,
        Metrics,
        OutboxRelay,
        CrossRegionLink,
        EventConsumers,
        ServiceExit,
        {
          provide: PlatformShutdown,
          useFactory: (store: EventStore, bus: MessageBus, vault: PersonalDataVault, security: SecurityStore) =>
            new PlatformShutdown(store, ports.bus ? null : bus, vault, security),
          inject: [EVENT_STORE, MESSAGE_BUS, VAULT, SECURITY_STORE],
        },
        AuditLog,
        ErasureService,
        Idempotency,
        { provide: APP_GUARD, useClass: PolicyGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
      exports: [CONFIG, EVENT_STORE, MESSAGE_BUS, VAULT, SECURITY_STORE, AuditLog, Registry, TokenService, HlcService, CaseCommandRunner, CaseReader, PersonalDataService, EventFeed, CaseFilesProjection, Metrics, OutboxRelay, CrossRegionLink, EventConsumers, ServiceExit, CqrsModule],
    };
  }
}
