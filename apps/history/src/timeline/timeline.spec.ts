import { noneMatch } from './timeline';

describe('If-None-Match against a timeline\'s tag', () => {
  const tag = '"uakHowRggsc3vhAhuVEZ5_Szd_0"';

  it('matches the tag itself, weakly, within a list, and *', () => {
    expect(noneMatch(tag, tag)).toBe(true);
    expect(noneMatch(`W/${tag}`, tag)).toBe(true);
    expect(noneMatch(`"older", ${tag}`, tag)).toBe(true);
    expect(noneMatch(' * ', tag)).toBe(true);
  });

  it('does not match another tag, a part of it, or nothing', () => {
    expect(noneMatch(undefined, tag)).toBe(false);
    expect(noneMatch('', tag)).toBe(false);
    expect(noneMatch('"uakHowRggsc3vhAhuVEZ5_Szd_1"', tag)).toBe(false);
    expect(noneMatch('uakHowRggsc3vhAhuVEZ5_Szd_0', tag)).toBe(false);
  });
});
