import { createSecretKey, type KeyObject } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { JWT_ALGORITHMS, JwksSource, publicJwk, type JwtAlgorithm, type PublicJwk, type SigningKey, type VerificationKey } from './jwks';
import { regionOfAgency } from '@lianban/registry';
import { ROLES, type Principal, type Role } from './principal';

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** `iss` of the petitioner tokens this service signs itself. */
export const PETITIONER_TOKEN_ISSUER = 'lianban';

const AGENCY = /^\d{6}-[a-z]{2,8}$/;
const MAX_CASES_IN_TOKEN = 100;
/** tokens remembered as verified; a client sends the same token for hours, so a few thousand cover every caller of a process */
const VERIFIED_TOKENS = 10_000;

/** A token that passed every check, remembered until it expires. */
interface Verified {
  principal: Principal;
  /** `nbf` − the clock tolerance, in seconds: before then jsonwebtoken calls it not valid yet (a clock set back) */
  from: number;
  /** `exp` + the clock tolerance, in seconds: from then on jsonwebtoken calls it expired */
  until: number;
  /** the issuer's key it was verified with (jwt mode, organisation tokens): valid while the JWKS still holds it */
  key: VerificationKey | null;
  /** the token's header kid, asked of the JWKS again as the first verification asked it */
  kid: string | undefined;
}

export interface TokenServiceOptions {
  /**
   * dev: HS256 with `devSecret` for every role (embedded dev mode only, where anyone may ask
   * POST /v1/dev/tokens anyway). jwt: RS256/ES256 only, verified with the organisation's keys
   * (`jwks`) and the service's own key (`signingKey`, petitioner tokens only).
   */
  mode: 'dev' | 'jwt';
  devSecret?: string;
  jwks?: JwksSource;
  signingKey?: SigningKey | null;
  /** `iss` the organisation's tokens must carry (AUTH_ISSUER); unchecked when unset */
  issuer?: string | null;
  /** `aud` the organisation's tokens must carry (AUTH_AUDIENCE); unchecked when unset */
  audience?: string | null;
  /** clocks of the issuer and this service may differ this much */
  clockToleranceSec?: number;
}

/**
 * Signs and verifies bearer tokens (DESIGN 7).
 *
 * jwt mode: staff tokens come from the organisation's identity provider and are verified with
 * its public keys (a JWKS file or URL). Petitioners have no account there: registration hands
 * them a token signed with this service's own private key (AUTH_SIGNING_KEY_FILE), whose public
 * half is published at /.well-known/jwks.json. A token verified with that key is accepted only
 * as a petitioner token, so the key that signs petitioner tokens can never mint staff.
 * A symmetric secret is never accepted in jwt mode: no HS256 token, no `alg: none`, so a public
 * key can never be abused as an HMAC secret.
 */
export class TokenService {
  private readonly options: TokenServiceOptions;
  /**
   * The dev secret as a KeyObject, made once: given a string, jsonwebtoken first tries to read it
   * as a public key and falls back, on every call (~300 µs a verify, against ~8 µs with this).
   */
  private readonly devKey: KeyObject | null;
  /**
   * Tokens already verified, by their text: every request carries one, and a signature check
   * (and the JSON decoding around it) costs more than the rest of the guard. Only a token that
   * passed is kept, and only while each check that passed still would: until it expires, and
   * (organisation tokens) while the issuer's key set still holds the key that verified it. The
   * dev secret, the service's own key, issuer and audience are fixed for the service's life.
   */
  private readonly verified = new Map<string, Verified>();

  /** a string is the dev secret (HS256), as in embedded dev mode */
  constructor(options: TokenServiceOptions | string, clockToleranceSec = 30) {
    this.options = typeof options === 'string' ? { mode: 'dev', devSecret: options, clockToleranceSec } : options;
    if (this.options.mode === 'dev' && !this.options.devSecret) throw new Error('dev tokens need a secret');
    this.devKey = this.options.devSecret ? createSecretKey(Buffer.from(this.options.devSecret, 'utf8')) : null;
  }

  get mode(): 'dev' | 'jwt' {
    return this.options.mode;
  }

  /** What this service publishes at /.well-known/jwks.json: the public half of its own signing key. */
  publicJwks(): { keys: PublicJwk[] } {
    const k = this.options.signingKey;
    return { keys: this.options.mode === 'jwt' && k ? [publicJwk(k)] : [] };
  }

  /**
   * dev: any principal. jwt: petitioner tokens only; staff tokens come from the identity
   * provider, never from this service.
   */
  sign(p: Principal, expiresInSec = 12 * 3600): string {
    if (this.options.mode === 'dev') {
      return jwt.sign({ ...p }, this.devKey!, { algorithm: 'HS256', expiresIn: expiresInSec, issuer: PETITIONER_TOKEN_ISSUER });
    }
    const key = this.options.signingKey;
    if (!key) throw new Error('no AUTH_SIGNING_KEY_FILE: this process cannot issue petitioner tokens');
    if (p.role !== 'petitioner') throw new Error('in jwt mode the service signs petitioner tokens only');
    return jwt.sign({ ...p }, key.privateKey, { algorithm: key.alg, keyid: key.kid, expiresIn: expiresInSec, issuer: PETITIONER_TOKEN_ISSUER });
  }

  async verify(token: string): Promise<Principal> {
    const known = this.verified.get(token);
    // jsonwebtoken's own tests, on the whole seconds of now
    const now = Math.floor(Date.now() / 1000);
    if (known && now >= known.from && now < known.until) {
      if (!known.key) return known.principal;
      if ((await this.options.jwks!.keysFor(known.kid)).includes(known.key)) return known.principal;
    }
    if (known) this.verified.delete(token);
    const { principal, claims, key, kid } = await this.verifyAfresh(token);
    const tolerance = this.options.clockToleranceSec ?? 30;
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, {
      principal, from: typeof claims.nbf === 'number' ? claims.nbf - tolerance : -Infinity, until: claims.exp! + tolerance, key, kid,
    });
    return principal;
  }

  private async verifyAfresh(token: string): Promise<{ principal: Principal; claims: jwt.JwtPayload; key: VerificationKey | null; kid?: string }> {
    const tolerance = this.options.clockToleranceSec ?? 30;
    if (this.options.mode === 'dev') {
      const claims = this.check(() => jwt.verify(token, this.devKey!, { algorithms: ['HS256'], clockTolerance: tolerance, issuer: PETITIONER_TOKEN_ISSUER }));
      return { principal: principalOf(claims), claims, key: null };
    }
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw new InvalidTokenError('the token is not valid');
    const alg = decoded.header.alg as JwtAlgorithm;
    if (!JWT_ALGORITHMS.includes(alg)) throw new InvalidTokenError(`tokens must be signed with ${JWT_ALGORITHMS.join(' or ')}`);
    const kid = decoded.header.kid;
    const own = this.options.signingKey;
    if (own && (kid === own.kid || (kid === undefined && decoded.payload.iss === PETITIONER_TOKEN_ISSUER))) {
      if (own.alg !== alg) throw new InvalidTokenError('the token is not valid');
      const claims = this.check(() => jwt.verify(token, own.publicKey, { algorithms: [alg], clockTolerance: tolerance, issuer: PETITIONER_TOKEN_ISSUER }));
      const p = principalOf(claims);
      if (p.role !== 'petitioner') throw new InvalidTokenError('the service signs petitioner tokens only');
      return { principal: p, claims, key: null };
    }
    const candidates: VerificationKey[] = (await (this.options.jwks?.keysFor(kid) ?? Promise.resolve([]))).filter((k) => k.alg === alg);
    if (candidates.length === 0) throw new InvalidTokenError(kid ? `no signing key ${kid} is known` : 'no signing key fits the token');
    let last: InvalidTokenError | null = null;
    for (const k of candidates) {
      try {
        const claims = this.check(() => jwt.verify(token, k.key, {
          algorithms: [alg], clockTolerance: tolerance,
          ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
          ...(this.options.audience ? { audience: this.options.audience } : {}),
        }));
        return { principal: principalOf(claims), claims, key: k, kid };
      } catch (e) {
        if (!(e instanceof InvalidTokenError)) throw e;
        last = e;
      }
    }
    throw last!;
  }

  private check(verify: () => string | jwt.JwtPayload): jwt.JwtPayload {
    let claims: string | jwt.JwtPayload;
    try {
      claims = verify();
    } catch (e) {
      if (e instanceof jwt.TokenExpiredError) throw new InvalidTokenError('the token has expired');
      if (e instanceof jwt.NotBeforeError) throw new InvalidTokenError('the token is not valid yet');
      throw new InvalidTokenError('the token is not valid');
    }
    if (typeof claims === 'string') throw new InvalidTokenError('the token is not valid');
    // a token that never expires is a credential that can never be withdrawn
    if (typeof claims.exp !== 'number') throw new InvalidTokenError('the token has no expiry (exp)');
    return claims;
  }
}

function principalOf(claims: jwt.JwtPayload): Principal {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 200 || !ROLES.includes(claims.role as Role)) {
    throw new InvalidTokenError('the token lacks a subject or a known role');
  }
  if (claims.agency !== undefined && (typeof claims.agency !== 'string' || !AGENCY.test(claims.agency))) {
    throw new InvalidTokenError('the token\'s agency is not <division code>-<department>');
  }
  const role = claims.role as Role;
  const agency = claims.agency as string | undefined;
  const region = claims.region === 'cq' || claims.region === 'sc' ? claims.region : agency ? regionOfAgency(agency) : undefined;
  const cases = role === 'petitioner' && Array.isArray(claims.cases)
    ? claims.cases.filter((c: unknown): c is string => typeof c === 'string').slice(0, MAX_CASES_IN_TOKEN)
    : undefined;
  // frozen: the same object answers every request carrying the token
  return Object.freeze({
    sub: claims.sub, role,
    ...(agency ? { agency } : {}),
    ...(region ? { region } : {}),
    ...(cases ? { cases: Object.freeze(cases) as string[] } : {}),
  });
}
