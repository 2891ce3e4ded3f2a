import { createParamDecorator, ExecutionContext, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { badRequest } from './http-errors';

export const CLOCK_HEADER = 'x-lianban-clock';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The moment a command is decided at. Normally now; in the embedded dev mode a request may
 * carry `X-Lianban-Clock` to act at another moment (demos, training, acceptance tests of the
 * limits). Any other mode refuses the header rather than silently ignoring it.
 */
@Injectable()
export class RequestClockMiddleware implements NestMiddleware {
  /** `skewMs`: the test-only clock skew (LIANBAN_TEST_CLOCK_SKEW_MS); 0 in every real deployment */
  constructor(private readonly allowOverride: boolean, private readonly skewMs = 0) {}

  use(req: Request, _res: Response, next: NextFunction): void {
    const header = req.headers[CLOCK_HEADER];
    if (header === undefined) {
      (req as RequestWithClock).lianbanNow = new Date(Date.now() + this.skewMs).toISOString();
      return next();
    }
    if (!this.allowOverride) return next(badRequest('CLOCK_HEADER_NOT_ALLOWED', 'X-Lianban-Clock is accepted only in the embedded dev mode'));
    const text = Array.isArray(header) ? header[0] : header;
    if (!ISO_INSTANT.test(text) || Number.isNaN(Date.parse(text))) {
      return next(badRequest('INVALID_CLOCK_HEADER', 'X-Lianban-Clock must be an ISO 8601 instant with a zone, e.g. 2021-05-04T09:00:00+08:00'));
    }
    (req as RequestWithClock).lianbanNow = new Date(text).toISOString();
    next();
  }
}

export interface RequestWithClock extends Request {
  lianbanNow: string;
}

/** The command's time, as an ISO instant. */
export const Now = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<RequestWithClock>();
  return req.lianbanNow ?? new Date().toISOString();
});
