import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { RateLimit } from '../config';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key: up to `requests` at once, refilled continuously at `requests` per
 * `seconds`. In memory, per process — enough to keep one client from starving the others; a
 * gateway in front limits a whole deployment.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(private readonly limit: RateLimit, private readonly maxKeys = 100_000, private readonly now: () => number = Date.now) {
    this.perMs = limit.requests / (limit.seconds * 1000);
  }

  /** 0 when the request may pass (one token taken), else the seconds until one token is back */
  take(key: string): number {
    const now = this.now();
    const b = this.buckets.get(key);
    const tokens = b ? Math.min(this.limit.requests, b.tokens + (now - b.at) * this.perMs) : this.limit.requests;
    const allowed = tokens >= 1;
    // most recently used last: the first entries are the ones idle longest
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, at: now });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000));
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** operators' endpoints stay reachable for health checks and scraping, whoever floods the API */
const NOT_LIMITED = new Set(['/health', '/metrics']);

/**
 * Rate limits per client IP and per bearer token (429 with Retry-After, DESIGN 7). The token is
 * counted by its hash before it is verified, so a flood of invalid tokens costs no verification.
 * The client IP is Express's `req.ip`: the socket's peer, or — from a proxy TRUST_PROXY names —
 * the nearest untrusted address in X-Forwarded-For.
 */
export function rateLimitMiddleware(limits: { ip: RateLimit | null; token: RateLimit | null }) {
  const byIp = limits.ip ? new TokenBuckets(limits.ip) : null;
  const byToken = limits.token ? new TokenBuckets(limits.token) : null;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (NOT_LIMITED.has(req.path)) return next();
    let wait = byIp?.take(`ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`) ?? 0;
    const auth = req.headers.authorization;
    if (wait === 0 && byToken && auth) wait = byToken.take(createHash('sha256').update(auth).digest('base64url'));
    if (wait === 0) return next();
    res.status(429).setHeader('retry-after', String(wait));
    res.json({ error: { code: 'RATE_LIMITED', message: `too many requests; retry after ${wait} s` } });
  };
}
