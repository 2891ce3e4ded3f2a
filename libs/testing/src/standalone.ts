import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttp, httpAdapter, loadConfig, type PlatformPorts } from '@lianban/platform';
import { StandaloneModule } from '../../../apps/standalone/src/standalone.module';
import { DemoLoader } from '../../../apps/standalone/src/demo/demo-loader';

export interface RunningApp {
  url: string;
  dataDir: string;
  app: INestApplication;
  close(): Promise<void>;
}

export function tempDataDir(prefix = 'lianban-e2e-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * The standalone app on a real HTTP port (an ephemeral one), on a real SQLite file under
 * `dataDir`. Environment overrides go through the same config validation as `npm start`.
 */
export async function startStandalone(opts: { dataDir?: string; env?: Record<string, string>; ports?: PlatformPorts } = {}): Promise<RunningApp> {
  const dataDir = opts.dataDir ?? tempDataDir();
  // The deadline watch's timer runs on the wall clock; tests pin their moments and run the watch
  // through POST /v1/dev/deadline-watch instead (a test may still turn the timer on).
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', DEMO: 'off', DEADLINE_WATCH_INTERVAL_MS: '0', ...opts.env }, { relay: true });
  // a start-up failure is the test's to report, not a reason to end the jest worker (Nest's default)
  const app = await NestFactory.create<NestExpressApplication>(StandaloneModule.forRoot(config, opts.ports), httpAdapter(), { logger: ['error', 'warn'], abortOnError: false });
  configureHttp(app, config, 'Lianban test');
  await app.listen(0, '127.0.0.1');
  await app.get(DemoLoader).ready;
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { url, dataDir, app, close: () => app.close() };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

/** A small HTTP client that speaks the API's conventions (JSON, bearer token, dev clock header). */
export class Api {
  constructor(readonly url: string, private readonly bearer?: string, private readonly clock?: string) {}

  as(token: string): Api {
    return new Api(this.url, token, this.clock);
  }

  at(clock: string): Api {
    return new Api(this.url, this.bearer, clock);
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
        ...(this.clock ? { 'x-lianban-clock': this.clock } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: hand back the text
    }
    return { status: res.status, body: parsed as T };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }

  /** a dev token (embedded dev mode); `region` for roles without an agency (analyst, admin) */
  async token(role: string, agency?: string, sub?: string, region?: string): Promise<string> {
    const r = await this.post<{ token: string }>('/v1/dev/tokens', { role, ...(agency ? { agency } : {}), ...(sub ? { sub } : {}), ...(region ? { region } : {}) });
    if (r.status !== 201) throw new Error(`dev token for ${role}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }
}

/** The body of a response that must have `status`; otherwise an error naming the step and what came back. */
export async function expectOk(what: string, response: Promise<{ status: number; body: any }>, status = 201): Promise<any> {
  const r = await response;
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** waits until the agency's own inbox lists the case, as a caseworker would before acting on it */
export function inboxItem(api: Api, caseId: string, what: string, status: 'open' | 'all' = 'open'): Promise<any> {
  return eventually(async () => {
    const r = await api.get(`/v1/inbox?status=${status}`);
    return r.status === 200 && Array.isArray(r.body) ? r.body.find((i: { caseId: string }) => i.caseId === caseId) : null;
  }, what, 60_000);
}

/** Polls until `check` returns a truthy value (eventually consistent reads: inbox, process managers). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
