import * as jwt from 'jsonwebtoken';
import { InvalidTokenError, TokenService } from './token.service';

describe('TokenService', () => {
  const tokens = new TokenService('test-secret');

  it('round-trips a principal', () => {
    const t = tokens.sign({ sub: 'u1', role: 'caseworker', agency: '500112-rsj', region: 'cq' });
    expect(tokens.verify(t)).toEqual({ sub: 'u1', role: 'caseworker', agency: '500112-rsj', region: 'cq' });
  });

  it('refuses a token signed with another secret, an expired one and an unknown role', () => {
    const other = new TokenService('other').sign({ sub: 'u1', role: 'admin' });
    expect(() => tokens.verify(other)).toThrow(InvalidTokenError);
    const expired = jwt.sign({ sub: 'u1', role: 'admin', exp: Math.floor(Date.now() / 1000) - 3600 }, 'test-secret', { issuer: 'lianban' });
    expect(() => tokens.verify(expired)).toThrow('the token has expired');
    const odd = jwt.sign({ sub: 'u1', role: 'emperor' }, 'test-secret', { issuer: 'lianban' });
    expect(() => tokens.verify(odd)).toThrow('known role');
  });
});
