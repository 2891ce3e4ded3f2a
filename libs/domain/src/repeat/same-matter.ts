/**
 * Whether two petitions raise the same matter (Art. 19), judged on their subjects. People
 * restate a matter in their own words ("拖欠工资" / "公司拖欠工资问题"), so exact equality would
 * miss most repeats; subjects are compared by the overlap of their character pairs (Sørensen–Dice
 * on bigrams), which suits Chinese text without a word segmenter. The threshold leans towards
 * linking: a wrongly linked repeat is visible on the case and costs a new registration, a missed
 * one opens a duplicate case that two agencies handle.
 */
export const SAME_MATTER_THRESHOLD = 0.6;

export function normaliseMatter(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '');
}

function bigrams(s: string): Map<string, number> {
  const out = new Map<string, number>();
  const chars = [...s];
  for (let i = 0; i < chars.length - 1; i++) {
    const b = chars[i] + chars[i + 1];
    out.set(b, (out.get(b) ?? 0) + 1);
  }
  return out;
}

/** 0 (nothing shared) … 1 (same text once normalised) */
export function matterSimilarity(a: string, b: string): number {
  const x = normaliseMatter(a);
  const y = normaliseMatter(b);
  if (x === y) return 1;
  const bx = bigrams(x);
  const by = bigrams(y);
  let total = 0;
  let shared = 0;
  for (const n of bx.values()) total += n;
  for (const [g, n] of by) {
    total += n;
    shared += Math.min(n, bx.get(g) ?? 0);
  }
  return total === 0 ? 0 : (2 * shared) / total;
}

export function sameMatter(a: string, b: string): boolean {
  return matterSimilarity(a, b) >= SAME_MATTER_THRESHOLD;
}
