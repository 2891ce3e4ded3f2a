import * as jwt from 'jsonwebtoken';
import { ROLES, type Principal, type Role } from './principal';

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/**
 * Signs and verifies bearer tokens. The embedded dev mode signs HS256 with a local secret;
 * a small clock-skew allowance keeps tokens usable across machines whose clocks differ a little.
 */
export class TokenService {
  constructor(private readonly secret: string, private readonly clockToleranceSec = 30) {}

  sign(p: Principal, expiresInSec = 12 * 3600): string {
    return jwt.sign({ ...p }, this.secret, { algorithm: 'HS256', expiresIn: expiresInSec, issuer: 'lianban' });
  }

  verify(token: string): Principal {
    let claims: jwt.JwtPayload | string;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: ['HS256'], clockTolerance: this.clockToleranceSec, issuer: 'lianban' });
    } catch (e) {
      throw new InvalidTokenError(e instanceof jwt.TokenExpiredError ? 'the token has expired' : 'the token is not valid');
    }
    if (typeof claims === 'string' || typeof claims.sub !== 'string' || !ROLES.includes(claims.role as Role)) {
      throw new InvalidTokenError('the token lacks a subject or a known role');
    }
    return {
      sub: claims.sub, role: claims.role as Role,
      ...(typeof claims.agency === 'string' ? { agency: claims.agency } : {}),
      ...(claims.region === 'cq' || claims.region === 'sc' ? { region: claims.region } : {}),
      ...(Array.isArray(claims.cases) ? { cases: claims.cases.filter((c: unknown): c is string => typeof c === 'string') } : {}),
    };
  }
}
