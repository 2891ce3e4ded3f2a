import { DynamicModule, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttp, listen } from './bootstrap';
import { ConfigError, loadConfig, type ConfigDefaults, type LianbanConfig } from './config';
import { httpAdapter } from './security/idempotency-claim';

export interface ServiceDefinition {
  /** `intake`, `coordinator`, `agency`, `history` */
  name: string;
  /** the OpenAPI title */
  title: string;
  /** the Nest module of the process: PlatformModule.forRoot(config) plus the app's own module */
  module: (config: LianbanConfig) => DynamicModule;
  defaults?: ConfigDefaults;
  /** an agency process serves one agency and must be told which */
  requiresAgencyId?: boolean;
}

function refuse(name: string, message: string): never {
  console.error(`lianban ${name}: configuration refused: ${message}`);
  process.exit(2);
}

/** The main() of one app as its own process (distributed mode, DESIGN 2). */
export async function runService(def: ServiceDefinition): Promise<void> {
  let config: LianbanConfig;
  try {
    config = loadConfig(process.env, def.defaults);
  } catch (e) {
    if (e instanceof ConfigError) refuse(def.name, e.message);
    throw e;
  }
  if (def.requiresAgencyId && !config.agencyId) refuse(def.name, 'AGENCY_ID is required: one agency process serves one agency (e.g. AGENCY_ID=500112-rsj)');
  if (config.bus === 'memory') {
    new Logger(def.name).warn('BUS=memory: this process exchanges no messages with other processes; it works only through the shared event store. Distributed mode is BUS=kafka');
  }
  const app = await NestFactory.create<NestExpressApplication>(def.module(config), httpAdapter(), { bufferLogs: false });
  configureHttp(app, config, def.title);
  await listen(app, config, def.name);
}
