import * as http from 'node:http';
import { startStandalone, type RunningApp } from '@lianban/testing/standalone';

jest.setTimeout(60_000);

/**
 * TRUST_PROXY over real HTTP: the rate limit's client address comes from X-Forwarded-For only
 * when the peer is a proxy TRUST_PROXY names. On Linux the whole of 127.0.0.0/8 reaches the
 * server, so one test process is both a trusted proxy (connecting from 127.0.0.1) and an
 * untrusted client (connecting from 127.0.0.2) of the same running app.
 */
const PROXY = '127.0.0.1';
const STRANGER = '127.0.0.2';
/** a public route, so only the address limit counts (no token bucket) */
const ROUTE = '/v1/receptions/schedules';

function get(url: string, from: string, forwardedFor?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${ROUTE}`, { localAddress: from, agent: false, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
  });
}

async function statuses(url: string, from: string, forwardedFor: (i: number) => string | undefined, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await get(url, from, forwardedFor(i)));
  return out;
}

describe('TRUST_PROXY: whose address a rate limit counts', () => {
  describe(`TRUST_PROXY=${PROXY}, 3 requests per address`, () => {
    let running: RunningApp;
    beforeAll(async () => {
      running = await startStandalone({ env: { RATE_LIMIT_IP: '3/3600', RATE_LIMIT_TOKEN: 'off', TRUST_PROXY: PROXY } });
    });
    afterAll(() => running?.close());

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy: forging a new address each time does not buy a new bucket', async () => {
      expect(await statuses(running.url, STRANGER, (i) => `198.51.100.${i + 1}`, 5)).toEqual([200, 200, 200, 429, 429]);
      // the stranger's own bucket is what emptied: without the header it is refused too
      expect(await get(running.url, STRANGER)).toBe(429);
    });

    it('honours X-Forwarded-For from the trusted proxy: each client behind it has its own bucket, the proxy\'s own untouched', async () => {
      expect(await statuses(running.url, PROXY, () => '203.0.113.7', 4)).toEqual([200, 200, 200, 429]);
      // another client behind the same proxy is counted on its own
      expect(await get(running.url, PROXY, '203.0.113.8')).toBe(200);
      // a client that forges its own X-Forwarded-For through the proxy: the proxy appends the
      // address it saw, and that rightmost untrusted entry is the one counted
      expect(await statuses(running.url, PROXY, (i) => `192.0.2.${i + 1}, 203.0.113.7`, 2)).toEqual([429, 429]);
      expect(await statuses(running.url, PROXY, (i) => `192.0.2.${i + 1}, 203.0.113.9`, 4)).toEqual([200, 200, 200, 429]);
      // the proxy's own requests (no header) have their own bucket, still full
      expect(await get(running.url, PROXY)).toBe(200);
    });
  });

  describe('by default (TRUST_PROXY unset)', () => {
    let running: RunningApp;
    beforeAll(async () => {
      running = await startStandalone({ env: { RATE_LIMIT_IP: '3/3600', RATE_LIMIT_TOKEN: 'off' } });
    });
    afterAll(() => running?.close());

    it('trusts no proxy: even from the loopback interface, X-Forwarded-For changes nothing', async () => {
      expect(await statuses(running.url, PROXY, (i) => `203.0.113.${i + 1}`, 4)).toEqual([200, 200, 200, 429]);
    });
  });

  describe('TRUST_PROXY=1 (a hop count)', () => {
    let running: RunningApp;
    beforeAll(async () => {
      running = await startStandalone({ env: { RATE_LIMIT_IP: '3/3600', RATE_LIMIT_TOKEN: 'off', TRUST_PROXY: '1' } });
    });
    afterAll(() => running?.close());

    it('trusts the one hop in front whatever its address, and only that hop: the entry before it is a client\'s claim', async () => {
      expect(await statuses(running.url, STRANGER, () => '203.0.113.7', 4)).toEqual([200, 200, 200, 429]);
      expect(await get(running.url, STRANGER, '203.0.113.8')).toBe(200);
      // one hop trusted: of "forged, real" only the last entry counts
      expect(await statuses(running.url, STRANGER, (i) => `192.0.2.${i + 1}, 203.0.113.7`, 1)).toEqual([429]);
    });
  });
});
