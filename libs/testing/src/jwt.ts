import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jwt from 'jsonwebtoken';
import { jwkThumbprint, publicJwk, type Principal } from '@lianban/auth';

export interface TestIssuerOptions {
  /** RS256 (default) or ES256 */
  alg?: 'RS256' | 'ES256';
  issuer?: string;
  audience?: string;
  dir?: string;
}

export interface SignOptions {
  expiresInSec?: number;
  /** seconds from now; negative = in the past */
  notBeforeSec?: number;
  /** override or remove (null) claims */
  claims?: Record<string, unknown>;
  kid?: string | null;
  noExpiry?: boolean;
}

/**
 * The organisation's identity provider, for tests of AUTH_MODE=jwt: a key pair whose public half
 * is written as a JWKS file, a second key pair as the service's own petitioner-token key, a
 * master key — everything a jwt-mode process needs in `env` — and `sign` to mint staff tokens.
 */
export interface TestIssuer {
  dir: string;
  jwksFile: string;
  signingKeyFile: string;
  /** the JWKS document (as served at a JWKS URL) */
  jwks: { keys: object[] };
  kid: string;
  privateKey: KeyObject;
  env: Record<string, string>;
  sign(p: Principal | Record<string, unknown>, opts?: SignOptions): string;
}

function keyPair(alg: 'RS256' | 'ES256') {
  return alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export function createTestIssuer(options: TestIssuerOptions = {}): TestIssuer {
  const alg = options.alg ?? 'RS256';
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-issuer-'));
  const idp = keyPair(alg);
  const kid = jwkThumbprint(idp.publicKey);
  const jwks = { keys: [publicJwk({ kid, alg, publicKey: idp.publicKey })] };
  const jwksFile = path.join(dir, 'jwks.json');
  fs.writeFileSync(jwksFile, JSON.stringify(jwks));
  const service = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signingKeyFile = path.join(dir, 'service-signing-key.pem');
  fs.writeFileSync(signingKeyFile, service.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const env: Record<string, string> = {
    AUTH_MODE: 'jwt', AUTH_JWKS_FILE: jwksFile, AUTH_SIGNING_KEY_FILE: signingKeyFile, MASTER_KEY: randomBytes(32).toString('base64'),
    PETITIONER_KEY_SECRET: randomBytes(24).toString('hex'),
    ...(options.issuer ? { AUTH_ISSUER: options.issuer } : {}), ...(options.audience ? { AUTH_AUDIENCE: options.audience } : {}),
  };
  return {
    dir, jwksFile, signingKeyFile, jwks, kid, privateKey: idp.privateKey, env,
    sign(p, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        ...p, iat: now, ...(opts.noExpiry ? {} : { exp: now + (opts.expiresInSec ?? 3600) }),
        ...(opts.notBeforeSec !== undefined ? { nbf: now + opts.notBeforeSec } : {}),
        ...(options.issuer ? { iss: options.issuer } : {}), ...(options.audience ? { aud: options.audience } : {}),
        ...opts.claims,
      };
      for (const [k, v] of Object.entries(claims)) if (v === null) delete claims[k];
      return jwt.sign(claims, idp.privateKey, { algorithm: alg, ...(opts.kid === null ? {} : { keyid: opts.kid ?? kid }) });
    },
  };
}
