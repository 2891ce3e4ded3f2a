import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** The only signature algorithms accepted for bearer tokens in jwt mode (never HS*, never none). */
export const JWT_ALGORITHMS = ['RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
}

/** A public key a token may be verified with. */
export interface VerificationKey {
  kid: string;
  alg: JwtAlgorithm;
  key: KeyObject;
}

export class JwksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwksError';
  }
}

/** The JWKS cannot be read right now (URL down): a server problem, not the caller's. */
export class KeysUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeysUnavailableError';
  }
}

const MIN_RSA_BITS = 2048;

function algorithmOf(key: KeyObject, declared: unknown, where: string): JwtAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  let alg: JwtAlgorithm;
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) throw new JwksError(`${where}: an RSA key must have at least ${MIN_RSA_BITS} bits`);
    alg = 'RS256';
  } else if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') {
    alg = 'ES256';
  } else {
    throw new JwksError(`${where}: only RSA (RS256) and EC P-256 (ES256) keys are accepted`);
  }
  if (declared !== undefined && declared !== alg) throw new JwksError(`${where}: alg ${String(declared)} does not fit a ${alg} key`);
  return alg;
}

/** RFC 7638 thumbprint: a kid that names the key itself, so it is the same wherever the key is published. */
export function jwkThumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as JsonWebKey;
  const members = key.asymmetricKeyType === 'rsa'
    ? { e: jwk.e, kty: 'RSA', n: jwk.n }
    : { crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** Parses a JWKS document (the file's text or the URL's body) into verification keys. */
export function parseJwks(text: string, where: string): VerificationKey[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new JwksError(`${where} is not JSON`);
  }
  const keys = (doc as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new JwksError(`${where} has no "keys" array`);
  const out: VerificationKey[] = [];
  keys.forEach((jwk: Record<string, unknown>, i) => {
    const at = `${where} key #${i + 1}${typeof jwk?.kid === 'string' ? ` (kid ${jwk.kid})` : ''}`;
    if (typeof jwk !== 'object' || jwk === null) throw new JwksError(`${at} is not an object`);
    // a published private key is an operator's mistake that must not pass silently
    if ('d' in jwk || 'p' in jwk) throw new JwksError(`${at} holds private key material; a JWKS publishes public keys only`);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw new JwksError(`${at} is not a signing key (use ${String(jwk.use)})`);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch (e) {
      throw new JwksError(`${at} is not a usable public key: ${(e as Error).message}`);
    }
    const alg = algorithmOf(key, jwk.alg, at);
    out.push({ kid: typeof jwk.kid === 'string' && jwk.kid ? jwk.kid : jwkThumbprint(key), alg, key });
  });
  return out;
}

/** The service's own signing key (petitioner tokens), from a PEM file's text. */
export interface SigningKey {
  kid: string;
  alg: JwtAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function parseSigningKey(pem: string, where: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw new JwksError(`${where} is not a PEM private key: ${(e as Error).message}`);
  }
  const publicKey = createPublicKey(privateKey);
  const alg = algorithmOf(publicKey, undefined, where);
  return { kid: jwkThumbprint(publicKey), alg, privateKey, publicKey };
}

export function publicJwk(k: { kid: string; alg: JwtAlgorithm; publicKey: KeyObject }): PublicJwk {
  return { ...(k.publicKey.export({ format: 'jwk' }) as JsonWebKey), kid: k.kid, alg: k.alg, use: 'sig' };
}

export interface JwksSourceOptions {
  /** keys read from AUTH_JWKS_FILE at start-up */
  keys?: VerificationKey[];
  /** AUTH_JWKS_URL, fetched on first use and then cached */
  url?: string | null;
  /** how long fetched keys are used before they are fetched again */
  cacheMs?: number;
  /** an unknown kid fetches again (key rotation), but not more often than this */
  minRefetchMs?: number;
  fetchTimeoutMs?: number;
  now?: () => number;
}

/**
 * The organisation's token-signing keys: a JWKS file read once, and/or a JWKS URL fetched and
 * cached. A token naming a kid that is not known yet makes the URL be fetched again (the issuer
 * rotated its keys), at most once per `minRefetchMs`, so tokens with made-up kids cannot turn
 * this service into a flood of requests against the issuer.
 */
export class JwksSource {
  private fetched: VerificationKey[] = [];
  private fetchedAt = -Infinity;
  private lastAttempt = -Infinity;
  private inflight: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(private readonly options: JwksSourceOptions) {
    this.now = options.now ?? Date.now;
  }

  get hasUrl(): boolean {
    return !!this.options.url;
  }

  async keysFor(kid: string | undefined): Promise<VerificationKey[]> {
    const fileKeys = this.options.keys ?? [];
    if (!this.options.url) return match(fileKeys, kid);
    const cacheMs = this.options.cacheMs ?? 600_000;
    const stale = this.now() - this.fetchedAt > cacheMs;
    const unknownKid = kid !== undefined && ![...fileKeys, ...this.fetched].some((k) => k.kid === kid);
    const mayRefetch = this.now() - this.lastAttempt >= (this.options.minRefetchMs ?? 30_000);
    if (stale || (unknownKid && mayRefetch)) {
      try {
        await this.refresh();
      } catch (e) {
        // keys fetched earlier stay usable while the issuer's endpoint is down
        if (this.fetchedAt === -Infinity && fileKeys.length === 0) throw e;
      }
    }
    return match([...fileKeys, ...this.fetched], kid);
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.lastAttempt = this.now();
    const url = this.options.url!;
    let text: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 5000), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (e) {
      throw new KeysUnavailableError(`the token-signing keys at ${url} could not be fetched (${(e as Error).message})`);
    }
    try {
      this.fetched = parseJwks(text, url);
    } catch (e) {
      throw new KeysUnavailableError((e as Error).message);
    }
    this.fetchedAt = this.now();
  }
}

function match(keys: VerificationKey[], kid: string | undefined): VerificationKey[] {
  return kid === undefined ? keys : keys.filter((k) => k.kid === kid);
}
