import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Response } from 'express';
import type { RequestWithPrincipal } from '@lianban/auth';
import type { LianbanConfig } from '../config';
import { ApiError, conflict } from '../http-errors';
import { CLOCK_HEADER } from '../request-clock';
import { CONFIG, SECURITY_STORE } from '../tokens';
import { CLAIMED, IdempotentExpressAdapter, IdempotentReplay, type ClaimingResponse } from './idempotency-claim';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from './idempotency-key';
import type { SecurityStore } from './security-store';

/** how long a first answer is kept for its retries */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** a first request still unanswered after this long died with its process; its key may be used again */
export const IDEMPOTENCY_STALE_MS = 60_000;

/** JSON with sorted keys: the same body however its keys were ordered */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>).sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/**
 * `Idempotency-Key` on every POST: the first answer (status and body) to a caller's key is kept
 * in the store's database and a retry gets it again, without running the command twice; the same
 * key with another request (method, path, body, clock header) is refused with 409
 * IDEMPOTENCY_KEY_REUSED; while the first is still running, 409 IDEMPOTENCY_KEY_IN_USE. Keys are
 * scoped per caller (the token's subject; anonymous callers share one scope, so their keys must
 * be random). Only successful answers are kept: a refused request changed nothing, and its retry
 * is decided again.
 *
 * Not a Nest interceptor: any global interceptor puts every request of every route through Nest's
 * rxjs chain (two AsyncResource.bind, deferred observables), ~0.07 ms of the event loop a B2
 * command, though most requests carry no key. PolicyGuard claims the key once the request is
 * authorized (`claim`), IdempotentExpressAdapter completes it before the answer is sent, and
 * HttpErrorFilter releases it before a refusal is sent (`releaseClaim`) or sends a replay.
 *
 * The kept answers are encrypted with a key derived from MASTER_KEY: a registration's answer holds
 * the petitioner's token, which must not lie in a table in clear.
 */
@Injectable()
export class Idempotency implements OnApplicationBootstrap {
  private readonly key: Buffer;

  constructor(
    @Inject(SECURITY_STORE) private readonly store: SecurityStore, @Inject(CONFIG) config: LianbanConfig, private readonly adapterHost: HttpAdapterHost,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', config.masterKey, 'lianban', 'idempotency answers', 32));
  }

  onApplicationBootstrap(): void {
    // with Nest's own adapter no answer would ever be kept, and each key would stay in use until stale
    const adapter = this.adapterHost.httpAdapter;
    if (adapter && !(adapter instanceof IdempotentExpressAdapter)) {
      throw new Error('a Lianban app serves HTTP through httpAdapter() (libs/platform/src/security/idempotency.ts): Idempotency-Key answers are kept by it');
    }
  }

  /**
   * For an authorized POST with a key: claims it, or throws the refusal or the replay. The
   * response then owes the claim: completed with the answer, or released on an error.
   */
  async claim(req: RequestWithPrincipal, res: Response): Promise<void> {
    if (req.method !== 'POST') return;
    const key = idempotencyKeyOf(req.headers[IDEMPOTENCY_HEADER]);
    if (key === undefined) return;
    const scope = req.principal ? `sub:${req.principal.sub}` : 'anonymous';
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.originalUrl}\n${String(req.headers[CLOCK_HEADER] ?? '')}\n${canonicalJson(req.body ?? null)}`)
      .digest('hex');
    const claim = await this.store.claim(scope, key, fingerprint, new Date(), IDEMPOTENCY_STALE_MS, IDEMPOTENCY_TTL_MS);
    if (!claim.claimed) {
      const r = claim.record;
      if (r.fingerprint !== fingerprint) {
        throw conflict('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another request; use a new key for a new request');
      }
      if (r.status === null || r.response === null) {
        res.setHeader('retry-after', '1');
        throw conflict('IDEMPOTENCY_KEY_IN_USE', 'the first request with this Idempotency-Key is still being processed; retry shortly');
      }
      res.setHeader('idempotent-replayed', 'true');
      throw new IdempotentReplay(r.status, this.open(scope, key, r.response));
    }
    (res as ClaimingResponse)[CLAIMED] = {
      complete: (body) => this.store.complete(scope, key, res.statusCode, this.seal(scope, key, body)),
      release: () => this.store.release(scope, key),
    };
  }

  private seal(scope: string, key: string, body: unknown): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`${scope}\n${key}`));
    const data = Buffer.concat([cipher.update(JSON.stringify(body ?? null), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]);
  }

  private open(scope: string, key: string, sealed: Buffer): unknown {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
      decipher.setAAD(Buffer.from(`${scope}\n${key}`));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8'));
    } catch {
      // kept under another MASTER_KEY: the answer is lost, and running the request again is not safe
      throw new ApiError(409, 'IDEMPOTENCY_ANSWER_UNREADABLE', 'the first answer to this Idempotency-Key can no longer be read; use a new key');
    }
  }
}
