import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';

/*
 * The HTTP side of Idempotency (idempotency.ts), apart from it so that HttpErrorFilter can settle
 * a claim without importing what imports the filter's module.
 */

/** What a response owes the key its request claimed: its answer once it succeeds, else the key back. */
export interface Claimed {
  complete(body: unknown): Promise<void>;
  release(): Promise<void>;
}

export const CLAIMED = Symbol('lianban.idempotency.claimed');
export type ClaimingResponse = Response & { [CLAIMED]?: Claimed };

/**
 * An error ends the request (HttpErrorFilter): the key it claimed, if any, is free again before
 * `send` sends the refusal, so a retry after it is decided again; a failed release changes nothing.
 * `failed`: what `send` threw once it runs later, where no caller is left to catch it.
 */
export function releaseClaim(res: Response, send: () => void, failed: (e: unknown) => void): void {
  const claimed = (res as ClaimingResponse)[CLAIMED];
  if (!claimed) return send();
  delete (res as ClaimingResponse)[CLAIMED];
  claimed.release().then(send, send).catch(failed);
}

/** A retry of a request answered before: HttpErrorFilter sends the first answer again. */
export class IdempotentReplay extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super('answered before');
  }
}

/**
 * The HTTP adapter every Lianban app is created with (`httpAdapter()`): before a successful answer
 * is sent, the Idempotency-Key its request claimed is completed with it, so a retry that follows
 * the answer always finds it. Nest awaits `reply`; a failure to keep the answer reaches
 * HttpErrorFilter like any other error (the key is released, the caller gets a 500).
 */
export class IdempotentExpressAdapter extends ExpressAdapter {
  override async reply(response: Response, body: unknown, statusCode?: number): Promise<unknown> {
    const claimed = (response as ClaimingResponse)[CLAIMED];
    if (claimed) {
      await claimed.complete(body);
      delete (response as ClaimingResponse)[CLAIMED];
    }
    return super.reply(response, body, statusCode);
  }
}

export function httpAdapter(): IdempotentExpressAdapter {
  return new IdempotentExpressAdapter();
}
