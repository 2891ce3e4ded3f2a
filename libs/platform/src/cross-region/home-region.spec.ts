import { loadConfig } from '../config';
import { keptHere } from './home-region';

describe("a record's home region", () => {
  it('is another deployment only when the regions exchange joint cases and the record was made in the other', () => {
    const sc = loadConfig({ CROSS_REGION: 'on', REGION: 'sc' });
    expect(keptHere(sc, 'cq')).toBe(false);
    expect(keptHere(sc, 'sc')).toBe(true);
    // one deployment alone keeps every record it holds, whatever region registered it
    expect(keptHere(loadConfig({ REGION: 'sc' }), 'cq')).toBe(true);
  });
});
