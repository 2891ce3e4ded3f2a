import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jwt from 'jsonwebtoken';
import { JwksSource, KeysUnavailableError, publicJwk } from './jwks';
import { TokenService } from './token.service';

/**
 * AUTH_JWKS_URL against a local HTTP server (the tests never leave the machine): fetched once
 * and cached, fetched again for a rotated key, at most once per interval for unknown kids, and
 * kept in use while the issuer's endpoint is down.
 */
describe('JwksSource over HTTP (AUTH_JWKS_URL)', () => {
  const first = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rotated = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  let served: object[] = [publicJwk({ kid: 'k1', alg: 'RS256', publicKey: first.publicKey })];
  let status = 200;
  let requests = 0;
  let server: http.Server;
  let url: string;
  let clock = 1_000_000;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const now = () => clock;
  const token = (key: KeyObject, alg: 'RS256' | 'ES256', kid: string) =>
    jwt.sign({ sub: 'zhang', role: 'analyst', exp: Math.floor(Date.now() / 1000) + 600 }, key, { algorithm: alg, keyid: kid });

  it('fetches once, serves from the cache, refetches for a rotated key, and rate-limits refetches for unknown kids', async () => {
    const source = new JwksSource({ url, cacheMs: 600_000, minRefetchMs: 30_000, now });
    const tokens = new TokenService({ mode: 'jwt', jwks: source });
    expect(await tokens.verify(token(first.privateKey, 'RS256', 'k1'))).toEqual({ sub: 'zhang', role: 'analyst' });
    expect(await tokens.verify(token(first.privateKey, 'RS256', 'k1'))).toEqual({ sub: 'zhang', role: 'analyst' });
    expect(requests).toBe(1);

    // the issuer rotates: a token with the new kid makes the keys be fetched again
    served = [...served, publicJwk({ kid: 'k2', alg: 'ES256', publicKey: rotated.publicKey })];
    clock += 31_000;
    expect(await tokens.verify(token(rotated.privateKey, 'ES256', 'k2'))).toEqual({ sub: 'zhang', role: 'analyst' });
    expect(requests).toBe(2);

    // made-up kids do not turn into a flood of requests against the issuer
    for (let i = 0; i < 5; i++) await expect(tokens.verify(token(first.privateKey, 'RS256', `nope-${i}`))).rejects.toThrow(/no signing key/);
    expect(requests).toBe(2);
    clock += 31_000;
    await expect(tokens.verify(token(first.privateKey, 'RS256', 'nope-x'))).rejects.toThrow(/no signing key/);
    expect(requests).toBe(3);
  });

  it('accepts a token verified before only while the issuer\'s keys still hold the key that verified it', async () => {
    served = [publicJwk({ kid: 'k1', alg: 'RS256', publicKey: first.publicKey })];
    status = 200;
    const source = new JwksSource({ url, cacheMs: 600_000, minRefetchMs: 30_000, now });
    const tokens = new TokenService({ mode: 'jwt', jwks: source });
    const t = token(first.privateKey, 'RS256', 'k1');
    const before = requests;
    expect(await tokens.verify(t)).toEqual({ sub: 'zhang', role: 'analyst' });
    expect(await tokens.verify(t)).toEqual({ sub: 'zhang', role: 'analyst' });
    expect(requests).toBe(before + 1);

    // fetched again with k1 still in it: the same token passes (checked against the new copy of the key)
    clock += 601_000;
    expect(await tokens.verify(t)).toEqual({ sub: 'zhang', role: 'analyst' });
    expect(requests).toBe(before + 2);

    // the issuer withdraws k1: once the keys are fetched again, its tokens are refused, remembered or not
    served = [publicJwk({ kid: 'k2', alg: 'ES256', publicKey: rotated.publicKey })];
    clock += 601_000;
    await expect(tokens.verify(t)).rejects.toThrow(/no signing key k1/);
    expect(requests).toBe(before + 3);
  });

  it('keeps using fetched keys while the endpoint is down, and says the keys are unavailable when it never answered', async () => {
    served = [publicJwk({ kid: 'k1', alg: 'RS256', publicKey: first.publicKey })];
    status = 200;
    const source = new JwksSource({ url, cacheMs: 1000, minRefetchMs: 0, now });
    expect(await source.keysFor('k1')).toHaveLength(1);
    status = 503;
    clock += 5000;
    expect(await source.keysFor('k1')).toHaveLength(1);

    const never = new JwksSource({ url, now });
    await expect(never.keysFor('k1')).rejects.toThrow(KeysUnavailableError);
    status = 200;
  });

  it('refuses a JWKS answer that publishes a private key', async () => {
    served = [first.privateKey.export({ format: 'jwk' })];
    const source = new JwksSource({ url, now });
    await expect(source.keysFor('k1')).rejects.toThrow(/private key material/);
  });
});
