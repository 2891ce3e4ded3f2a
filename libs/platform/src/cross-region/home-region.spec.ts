import { loadConfig } from '../config';
import { isCaseOfOtherRegion } from './home-region';

describe("a case's home region", () => {
  it('is another deployment only when the regions exchange joint cases and the case was registered in the other', () => {
    const sc = loadConfig({ CROSS_REGION: 'on', REGION: 'sc' });
    expect(isCaseOfOtherRegion(sc, 'cq')).toBe(true);
    expect(isCaseOfOtherRegion(sc, 'sc')).toBe(false);
    // one deployment alone writes every case it holds, whatever region registered it
    expect(isCaseOfOtherRegion(loadConfig({ REGION: 'sc' }), 'cq')).toBe(false);
  });
});
