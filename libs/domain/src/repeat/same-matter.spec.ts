import { matterSimilarity, normaliseMatter, sameMatter } from './same-matter';

describe('same matter (Art. 19)', () => {
  it('ignores spacing, punctuation and full-width forms', () => {
    expect(normaliseMatter(' 分公司，拖欠 工资！ ')).toBe('分公司拖欠工资');
    expect(normaliseMatter('ＡＢＣ 小区')).toBe('abc小区');
    expect(matterSimilarity('分公司拖欠工资', '分公司 拖欠工资。')).toBe(1);
  });

  it('recognises a matter restated in other words', () => {
    expect(sameMatter('某建设公司渝北分公司拖欠员工工资数月', '渝北分公司拖欠员工工资')).toBe(true);
    expect(sameMatter('分公司拖欠工资', '分公司拖欠工资问题')).toBe(true);
  });

  it('tells different matters apart', () => {
    expect(sameMatter('分公司拖欠工资', '小区外墙瓷砖脱落')).toBe(false);
    expect(sameMatter('道路积水', '道路照明')).toBe(false);
    expect(sameMatter('', '')).toBe(true);
    expect(sameMatter('水', '火')).toBe(false);
  });
});
