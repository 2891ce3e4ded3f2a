import { spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as jwt from 'jsonwebtoken';
import { createTestIssuer, type TestIssuer } from '@lianban/testing/jwt';
import { Api, startStandalone, tempDataDir, type RunningApp } from '@lianban/testing/standalone';
import { AG, PEOPLE, petition } from './fixtures';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');

/**
 * Authentication (issue 9 item 1): AUTH_MODE=jwt verifies the organisation's RS256/ES256 tokens
 * with its public keys (a JWKS file, or a URL — here a local server, the tests stay offline),
 * with expiry and a small clock-skew allowance; the service signs petitioner tokens with its own
 * key and publishes it; dev tokens and the clock header exist only in embedded dev mode, and a
 * distributed process configured for dev auth does not start.
 */
describe('authentication', () => {
  describe.each(['RS256', 'ES256'] as const)('jwt mode with a JWKS file, the issuer signing %s', (alg) => {
    let issuer: TestIssuer;
    let running: RunningApp;
    let api: Api;

    beforeAll(async () => {
      issuer = createTestIssuer({ alg, issuer: 'https://idp.cq.gov.cn', audience: 'lianban' });
      running = await startStandalone({ env: issuer.env });
      api = new Api(running.url);
    });
    afterAll(async () => {
      await running?.close();
      fs.rmSync(issuer.dir, { recursive: true, force: true });
    });

    const clerk = { sub: 'clerk-li@500109-xfb', role: 'clerk', agency: AG.bureau, region: 'cq' };

    it('accepts the issuer\'s tokens within their validity and a small clock skew, and nothing else', async () => {
      const now = Math.floor(Date.now() / 1000);
      const status = async (token: string) => (await api.as(token).get('/v1/agencies')).status;
      expect(await status(issuer.sign(clerk))).toBe(200);
      expect(await status(issuer.sign(clerk, { claims: { exp: now - 10 } }))).toBe(200);
      const expired = await api.as(issuer.sign(clerk, { claims: { exp: now - 120 } })).get('/v1/agencies');
      expect({ status: expired.status, code: expired.body.error.code, message: expired.body.error.message }).toEqual({ status: 401, code: 'INVALID_TOKEN', message: 'the token has expired' });
      expect(await status(issuer.sign(clerk, { notBeforeSec: 600 }))).toBe(401);
      expect(await status(issuer.sign(clerk, { noExpiry: true }))).toBe(401);
      expect(await status(issuer.sign(clerk, { claims: { iss: 'https://someone-else.example' } }))).toBe(401);
      expect(await status(issuer.sign(clerk, { claims: { aud: 'another-service' } }))).toBe(401);
      expect(await status(issuer.sign(clerk, { kid: 'unknown-kid' }))).toBe(401);
      // the embedded dev mode's secret means nothing here
      const hs = jwt.sign({ ...clerk, exp: now + 60, iss: 'lianban' }, 'lianban-dev-secret-not-for-production', { algorithm: 'HS256' });
      expect(await status(hs)).toBe(401);
      // another issuer's key, same kid
      const stranger = createTestIssuer({ alg });
      expect(await status(stranger.sign(clerk, { kid: issuer.kid }))).toBe(401);
      fs.rmSync(stranger.dir, { recursive: true, force: true });
    });

    it('has no dev token route and refuses the clock header', async () => {
      expect((await api.post('/v1/dev/tokens', { role: 'admin' })).status).toBe(404);
      const clocked = await api.as(issuer.sign(clerk)).at('2024-03-04T09:00:00+08:00').get('/v1/agencies');
      expect({ status: clocked.status, code: clocked.body.error.code }).toEqual({ status: 400, code: 'CLOCK_HEADER_NOT_ALLOWED' });
    });

    it('issues petitioner tokens signed with its own published key, good for their own case only, never for staff', async () => {
      const reg = await api.post('/v1/petitions', await petition(PEOPLE.claimant, { channel: 'online' }));
      expect(reg.status).toBe(201);
      const token: string = reg.body.petitionerToken;
      const published = await api.get('/.well-known/jwks.json');
      expect(published.status).toBe(200);
      const [jwk] = published.body.keys;
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(jwk).not.toHaveProperty('d');
      // anyone holding the published key can check a petitioner token
      const claims = jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), { algorithms: ['ES256'] }) as jwt.JwtPayload;
      expect(claims).toMatchObject({ role: 'petitioner', cases: [reg.body.caseId], iss: 'lianban' });
      expect(jwt.decode(token, { complete: true })!.header.kid).toBe(jwk.kid);
      expect((await api.as(token).get(`/v1/petitions/${reg.body.caseId}`)).status).toBe(200);
      const other = await api.as(issuer.sign(clerk)).post('/v1/petitions', await petition(PEOPLE.appellant, { subject: '噪音扰民' }));
      expect((await api.as(token).get(`/v1/petitions/${other.body.caseId}`)).status).toBe(404);
      // the service's key mints no staff, whatever the claims say
      const key = fs.readFileSync(issuer.signingKeyFile, 'utf8');
      const forged = jwt.sign({ sub: 'x', role: 'admin', iss: 'lianban', exp: Math.floor(Date.now() / 1000) + 60 }, key, { algorithm: 'ES256', keyid: jwk.kid });
      expect((await api.as(forged).get('/v1/admin/audit')).status).toBe(401);
    });
  });

  describe('jwt mode with a JWKS URL (a local server)', () => {
    let issuer: TestIssuer;
    let server: http.Server;
    let running: RunningApp;
    let served: object;
    let hits = 0;

    beforeAll(async () => {
      issuer = createTestIssuer();
      served = issuer.jwks;
      server = http.createServer((_req, res) => {
        hits++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { AUTH_JWKS_FILE: _file, ...env } = issuer.env;
      running = await startStandalone({ env: { ...env, AUTH_JWKS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` } });
    });
    afterAll(async () => {
      await running?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(issuer.dir, { recursive: true, force: true });
    });

    it('verifies with the fetched keys, cached, and answers 503 (not 401, not 500) when they cannot be fetched', async () => {
      const api = new Api(running.url);
      const analyst = issuer.sign({ sub: 'analyst-wang', role: 'analyst', region: 'cq' });
      for (let i = 0; i < 3; i++) expect((await api.as(analyst).get('/v1/agencies')).status).toBe(200);
      expect(hits).toBe(1);
      // a fresh deployment whose issuer is down: a server problem, said as one
      const down = await startStandalone({ env: { ...issuer.env, AUTH_JWKS_FILE: '', AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json' } });
      try {
        const r = await new Api(down.url).as(analyst).get('/v1/agencies');
        expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 503, code: 'AUTH_KEYS_UNAVAILABLE' });
      } finally {
        await down.close();
      }
    });
  });

  describe('start-up refusals (the built processes)', () => {
    const main = (app: string) => path.join(ROOT, `dist/apps/${app}/src/main.js`);

    /** runs a built entry point and waits for it to exit by itself */
    function run(app: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
      if (!fs.existsSync(main(app))) throw new Error(`dist/apps/${app} is not built: run \`npm run build\` first`);
      const dataDir = tempDataDir('lianban-refused-');
      return new Promise((resolve) => {
        let output = '';
        const child = spawn(process.execPath, [main(app)], {
          cwd: ROOT, env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('exit', (code) => {
          fs.rmSync(dataDir, { recursive: true, force: true });
          resolve({ code, output });
        });
      });
    }

    it.each(['intake', 'coordinator', 'agency', 'history'])('refuses to start %s distributed with AUTH_MODE=dev, or in jwt mode without keys', async (app) => {
      const kafka = { BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9', AGENCY_ID: '500109-rsj' };
      const dev = await run(app, { ...kafka, AUTH_MODE: 'dev' });
      expect(dev.code).toBe(2);
      expect(dev.output).toContain('AUTH_MODE=dev exists only in embedded mode');
      const noKeys = await run(app, { ...kafka, AUTH_MODE: 'jwt', MASTER_KEY: Buffer.alloc(32, 7).toString('base64') });
      expect(noKeys.code).toBe(2);
      expect(noKeys.output).toContain('AUTH_JWKS_FILE and/or AUTH_JWKS_URL');
    });

    it('refuses to start the standalone app in jwt mode without a MASTER_KEY', async () => {
      const issuer = createTestIssuer();
      const { MASTER_KEY: _m, ...env } = issuer.env;
      const r = await run('standalone', env);
      fs.rmSync(issuer.dir, { recursive: true, force: true });
      expect(r.code).toBe(2);
      expect(r.output).toContain('MASTER_KEY is required');
    });
  });
});
