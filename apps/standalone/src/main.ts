import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttp, ConfigError, httpAdapter, listen, loadConfig } from '@lianban/platform';
import { StandaloneModule } from './standalone.module';

async function main(): Promise<void> {
  let config;
  try {
    // all apps in one process: it is also the region's relay, whatever the bus
    config = loadConfig(process.env, { relay: true });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`lianban: configuration refused: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const app = await NestFactory.create<NestExpressApplication>(StandaloneModule.forRoot(config), httpAdapter(), { bufferLogs: false });
  configureHttp(app, config, 'Lianban 联办 (standalone)');
  await listen(app, config, 'standalone');
}

void main();
