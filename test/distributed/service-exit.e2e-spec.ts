import { spawn } from 'node:child_process';
import * as path from 'node:path';

/**
 * What a service does when one of its consumers stops for good (kafkajs will not restart it):
 * ServiceExit closes the application, so every shutdown hook runs, then exits with status 1 for
 * its supervisor to start a fresh process. Run on the build (`dist/`), in a process of its own,
 * since exiting is the point.
 */
const ROOT = path.resolve(__dirname, '../..');
const SERVICE_EXIT = path.join(ROOT, 'dist/libs/platform/src/service-exit.js');

const child = `
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { ServiceExit } = require(${JSON.stringify(SERVICE_EXIT)});
class ShutdownWitness {
  async onApplicationShutdown() { process.stdout.write('shutdown hooks ran\\n'); }
}
class App {}
Module({ providers: [ServiceExit, ShutdownWitness] })(App);
(async () => {
  const app = await NestFactory.createApplicationContext(App, { logger: ['error'] });
  app.get(ServiceExit).attach(app);
  // something that would keep the process alive for ever: only an exit ends it
  setInterval(() => undefined, 1000);
  app.get(ServiceExit).exitForRestart('consumer agency.500109-rsj (group cq.agency.500109-rsj) stopped for good: TypeError: boom');
  app.get(ServiceExit).exitForRestart('reported twice');
})();
`;

describe('ServiceExit: a part stopped for good ends the process', () => {
  it('runs the shutdown hooks, then exits with status 1 and says why', async () => {
    const proc = spawn(process.execPath, ['-e', child], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    expect({ code, out }).toEqual({ code: 1, out: expect.stringContaining('shutdown hooks ran') });
    expect(out).toContain('stopped for good: TypeError: boom; exiting with status 1 so that the supervisor starts a fresh process');
    expect(out.match(/shutdown hooks ran/g)).toHaveLength(1);
  }, 60_000);
});
