import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { JwksSource, jwkThumbprint, parseJwks, parseSigningKey, publicJwk } from './jwks';
import { InvalidTokenError, PETITIONER_TOKEN_ISSUER, TokenService } from './token.service';

describe('TokenService, dev mode (HS256, embedded only)', () => {
  const tokens = new TokenService('test-secret');

  it('round-trips a principal, deriving the region from the agency', async () => {
    const t = tokens.sign({ sub: 'u1', role: 'caseworker', agency: '500112-rsj' });
    expect(await tokens.verify(t)).toEqual({ sub: 'u1', role: 'caseworker', agency: '500112-rsj', region: 'cq' });
    expect(await tokens.verify(tokens.sign({ sub: 'u2', role: 'coordinator', agency: '511623-xfj' }))).toMatchObject({ region: 'sc' });
  });

  it('refuses a token signed with another secret, an expired one, an unknown role and a malformed agency', async () => {
    const other = new TokenService('other').sign({ sub: 'u1', role: 'admin' });
    await expect(tokens.verify(other)).rejects.toThrow(InvalidTokenError);
    const expired = jwt.sign({ sub: 'u1', role: 'admin', exp: Math.floor(Date.now() / 1000) - 3600 }, 'test-secret', { issuer: 'lianban' });
    await expect(tokens.verify(expired)).rejects.toThrow('the token has expired');
    const odd = jwt.sign({ sub: 'u1', role: 'emperor' }, 'test-secret', { issuer: 'lianban', expiresIn: 60 });
    await expect(tokens.verify(odd)).rejects.toThrow('known role');
    const agency = jwt.sign({ sub: 'u1', role: 'caseworker', agency: "500112-rsj' OR 1=1" }, 'test-secret', { issuer: 'lianban', expiresIn: 60 });
    await expect(tokens.verify(agency)).rejects.toThrow(/agency/);
  });

  it('keeps the cases claim for petitioners only', async () => {
    const staff = jwt.sign({ sub: 'u1', role: 'analyst', cases: ['c1'] }, 'test-secret', { issuer: 'lianban', expiresIn: 60 });
    expect(await tokens.verify(staff)).toEqual({ sub: 'u1', role: 'analyst' });
    expect(await tokens.verify(tokens.sign({ sub: 'p', role: 'petitioner', cases: ['c1'] }))).toEqual({ sub: 'p', role: 'petitioner', cases: ['c1'] });
  });
});

describe('TokenService, tokens already verified', () => {
  // jsonwebtoken reads the clock through Date.now, so moving it moves both the library and the memory
  let clock: jest.SpyInstance<number, []>;
  const t0 = 1_800_000_000_000;
  beforeEach(() => (clock = jest.spyOn(Date, 'now').mockReturnValue(t0)));
  afterEach(() => clock.mockRestore());

  it('answers a token verified before from memory, until exp + the clock tolerance, as jsonwebtoken counts it', async () => {
    const tokens = new TokenService({ mode: 'dev', devSecret: 'test-secret', clockToleranceSec: 30 });
    const t = tokens.sign({ sub: 'u1', role: 'petitioner', cases: ['c1'] }, 60);
    const first = await tokens.verify(t);
    expect(await tokens.verify(t)).toBe(first);
    // one request's principal cannot change what the next one with the same token gets
    expect(Object.isFrozen(first) && Object.isFrozen(first.cases)).toBe(true);
    clock.mockReturnValue(t0 + 89_999);
    expect(await tokens.verify(t)).toBe(first);
    clock.mockReturnValue(t0 + 90_000);
    await expect(tokens.verify(t)).rejects.toThrow('the token has expired');
  });

  it('refuses a remembered token again once the clock is set back before its nbf', async () => {
    const tokens = new TokenService({ mode: 'dev', devSecret: 'test-secret', clockToleranceSec: 30 });
    const t = jwt.sign({ sub: 'u1', role: 'admin', nbf: t0 / 1000 + 20, exp: t0 / 1000 + 600 }, 'test-secret', { issuer: 'lianban' });
    expect(await tokens.verify(t)).toEqual({ sub: 'u1', role: 'admin' });
    clock.mockReturnValue(t0 - 60_000);
    await expect(tokens.verify(t)).rejects.toThrow('not valid yet');
  });

  it('never remembers a refused token', async () => {
    const tokens = new TokenService({ mode: 'dev', devSecret: 'test-secret', clockToleranceSec: 0 });
    const early = jwt.sign({ sub: 'u1', role: 'admin', nbf: t0 / 1000 + 10, exp: t0 / 1000 + 600 }, 'test-secret', { issuer: 'lianban' });
    await expect(tokens.verify(early)).rejects.toThrow('not valid yet');
    clock.mockReturnValue(t0 + 10_000);
    expect(await tokens.verify(early)).toEqual({ sub: 'u1', role: 'admin' });
  });
});

describe('TokenService, jwt mode (RS256/ES256 with the issuer\'s public keys)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const service = parseSigningKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'test');
  const jwksText = JSON.stringify({
    keys: [publicJwk({ kid: 'rsa-1', alg: 'RS256', publicKey: rsa.publicKey }), publicJwk({ kid: 'ec-1', alg: 'ES256', publicKey: ec.publicKey })],
  });
  const make = (extra: Partial<ConstructorParameters<typeof TokenService>[0] & object> = {}) => new TokenService({
    mode: 'jwt', jwks: new JwksSource({ keys: parseJwks(jwksText, 'test') }), signingKey: service, clockToleranceSec: 30, ...extra,
  });
  const now = () => Math.floor(Date.now() / 1000);
  const signWith = (key: KeyObject, alg: 'RS256' | 'ES256', kid: string | undefined, claims: Record<string, unknown>) =>
    jwt.sign({ iat: now(), exp: now() + 600, ...claims }, key, { algorithm: alg, ...(kid ? { keyid: kid } : {}) });
  const staff = { sub: 'zhang', role: 'caseworker', agency: '500112-rsj', region: 'cq' };

  it('accepts RS256 and ES256 tokens of the issuer, by kid or, without one, by trying the keys of that algorithm', async () => {
    const tokens = make();
    expect(await tokens.verify(signWith(rsa.privateKey, 'RS256', 'rsa-1', staff))).toEqual(staff);
    expect(await tokens.verify(signWith(ec.privateKey, 'ES256', 'ec-1', staff))).toEqual(staff);
    expect(await tokens.verify(signWith(ec.privateKey, 'ES256', undefined, staff))).toEqual(staff);
  });

  it('refuses HS256 (even keyed with the public key), alg none, an unknown kid and a key of another issuer', async () => {
    const tokens = make();
    const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    // the classic confusion: a "signature" made with the public key as an HMAC secret
    const confused = jwt.sign({ ...staff, exp: now() + 60 }, pem, { algorithm: 'HS256', keyid: 'rsa-1' });
    await expect(tokens.verify(confused)).rejects.toThrow(/RS256 or ES256/);
    const none = jwt.sign({ ...staff, exp: now() + 60 }, '', { algorithm: 'none' });
    await expect(tokens.verify(none)).rejects.toThrow(InvalidTokenError);
    await expect(tokens.verify(signWith(rsa.privateKey, 'RS256', 'rsa-9', staff))).rejects.toThrow(/no signing key rsa-9/);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect(tokens.verify(signWith(stranger.privateKey, 'RS256', 'rsa-1', staff))).rejects.toThrow('the token is not valid');
    await expect(tokens.verify('not.a.token')).rejects.toThrow(InvalidTokenError);
  });

  it('refuses expired tokens beyond the clock-skew allowance, tokens not valid yet, and tokens without exp', async () => {
    const tokens = make();
    expect(await tokens.verify(signWith(rsa.privateKey, 'RS256', 'rsa-1', { ...staff, exp: now() - 10 }))).toEqual(staff);
    await expect(tokens.verify(signWith(rsa.privateKey, 'RS256', 'rsa-1', { ...staff, exp: now() - 60 }))).rejects.toThrow('the token has expired');
    expect(await tokens.verify(signWith(rsa.privateKey, 'RS256', 'rsa-1', { ...staff, nbf: now() + 10 }))).toEqual(staff);
    await expect(tokens.verify(signWith(rsa.privateKey, 'RS256', 'rsa-1', { ...staff, nbf: now() + 120 }))).rejects.toThrow('not valid yet');
    const forever = jwt.sign({ ...staff }, rsa.privateKey, { algorithm: 'RS256', keyid: 'rsa-1' });
    await expect(tokens.verify(forever)).rejects.toThrow('no expiry');
    const strict = make({ clockToleranceSec: 0 });
    await expect(strict.verify(signWith(rsa.privateKey, 'RS256', 'rsa-1', { ...staff, exp: now() - 10 }))).rejects.toThrow('the token has expired');
  });

  it('checks issuer and audience when configured', async () => {
    const tokens = make({ issuer: 'https://idp.cq.gov.cn', audience: 'lianban' });
    expect(await tokens.verify(signWith(rsa.privateKey, 'RS256', 'rsa-1', { ...staff, iss: 'https://idp.cq.gov.cn', aud: 'lianban' }))).toEqual(staff);
    await expect(tokens.verify(signWith(rsa.privateKey, 'RS256', 'rsa-1', { ...staff, iss: 'https://evil.example', aud: 'lianban' }))).rejects.toThrow(InvalidTokenError);
    await expect(tokens.verify(signWith(rsa.privateKey, 'RS256', 'rsa-1', { ...staff, iss: 'https://idp.cq.gov.cn', aud: 'other' }))).rejects.toThrow(InvalidTokenError);
  });

  it('signs petitioner tokens with its own key, verifies them, publishes the public key, and never signs or accepts staff with it', async () => {
    const tokens = make();
    const t = tokens.sign({ sub: 'petitioner:p1', role: 'petitioner', cases: ['c1'], region: 'cq' });
    expect(jwt.decode(t, { complete: true })!.header).toMatchObject({ alg: 'ES256', kid: service.kid });
    expect(await tokens.verify(t)).toEqual({ sub: 'petitioner:p1', role: 'petitioner', cases: ['c1'], region: 'cq' });
    expect(() => tokens.sign({ sub: 'x', role: 'admin' })).toThrow(/petitioner tokens only/);
    const forged = jwt.sign({ sub: 'x', role: 'admin', exp: now() + 60, iss: PETITIONER_TOKEN_ISSUER }, service.privateKey, { algorithm: 'ES256', keyid: service.kid });
    await expect(tokens.verify(forged)).rejects.toThrow(/petitioner tokens only/);
    const published = tokens.publicJwks();
    expect(published.keys).toHaveLength(1);
    expect(published.keys[0]).toMatchObject({ kid: service.kid, alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' });
    expect(published.keys[0]).not.toHaveProperty('d');
    expect(jwkThumbprint(service.publicKey)).toBe(service.kid);
  });
});

describe('JWKS documents and signing keys', () => {
  it('refuses private key material, weak RSA keys, unknown curves and mismatched alg', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const priv = rsa.privateKey.export({ format: 'jwk' });
    expect(() => parseJwks(JSON.stringify({ keys: [priv] }), 'f')).toThrow(/private key material/);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => parseJwks(JSON.stringify({ keys: [weak.publicKey.export({ format: 'jwk' })] }), 'f')).toThrow(/2048/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    expect(() => parseJwks(JSON.stringify({ keys: [p384.publicKey.export({ format: 'jwk' })] }), 'f')).toThrow(/P-256/);
    expect(() => parseJwks(JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), alg: 'ES256' }] }), 'f')).toThrow(/does not fit/);
    expect(() => parseJwks('{', 'f')).toThrow(/not JSON/);
    expect(() => parseJwks('{}', 'f')).toThrow(/keys/);
    expect(() => parseSigningKey('-----BEGIN NOTHING-----', 'k')).toThrow(/PEM private key/);
  });

  it('names a key without a kid by its RFC 7638 thumbprint', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const [k] = parseJwks(JSON.stringify({ keys: [publicKey.export({ format: 'jwk' })] }), 'f');
    expect(k.kid).toBe(jwkThumbprint(publicKey));
    expect(k.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
