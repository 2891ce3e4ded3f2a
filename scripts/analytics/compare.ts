import type { FactsStore } from '../../apps/history/src/projections/facts-store';
import type { FactsVersion } from '../../apps/history/src/projections/versions';

export interface Comparison {
  cases: number;
  versions: number;
  differences: number;
}

/** at most this many differences are described; all are counted */
const DESCRIBED = 20;

async function* byCase(store: FactsStore): AsyncGenerator<[string, FactsVersion[]]> {
  let caseId: string | null = null;
  let versions: FactsVersion[] = [];
  for await (const page of store.allVersions()) {
    for (const v of page) {
      if (v.caseId !== caseId) {
        if (caseId !== null) yield [caseId, versions];
        caseId = v.caseId;
        versions = [];
      }
      versions.push(v);
    }
  }
  if (caseId !== null) yield [caseId, versions];
}

/** the first path at which two JSON values differ, e.g. `facts.tasks[1].acceptedAt` */
export function firstDifference(a: unknown, b: unknown, at = ''): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
      if (d) return d;
    }
  }
  return `${at || '(value)'}: stored ${JSON.stringify(a)}, rebuilt ${JSON.stringify(b)}`;
}

/**
 * Compares two projection stores case by case (both list cases in id order, so this is a
 * merge and holds two cases in memory at a time). Describes the first differences through `say`.
 */
export async function compareProjections(stored: FactsStore, rebuilt: FactsStore, say: (line: string) => void): Promise<Comparison> {
  const a = byCase(stored);
  const b = byCase(rebuilt);
  let x = await a.next();
  let y = await b.next();
  const out: Comparison = { cases: 0, versions: 0, differences: 0 };
  const differ = (line: string) => {
    if (out.differences++ < DESCRIBED) say(line);
  };
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value[0] < y.value[0])) {
      differ(`case ${x.value![0]}: stored, but a rebuild has no such case`);
      x = await a.next();
    } else if (x.done || y.value[0] < x.value[0]) {
      differ(`case ${y.value[0]}: missing from the stored projections (${y.value[1].length} versions in a rebuild)`);
      y = await b.next();
    } else {
      const [caseId, sv] = x.value;
      const rv = y.value[1];
      out.cases++;
      out.versions += rv.length;
      const d = firstDifference(sv.map(strip), rv.map(strip));
      if (d) differ(`case ${caseId}: ${d}`);
      x = await a.next();
      y = await b.next();
    }
  }
  if (out.differences > DESCRIBED) say(`… and ${out.differences - DESCRIBED} more`);
  return out;
}

const strip = (v: FactsVersion) => ({ validFrom: v.validFrom, validTo: v.validTo, facts: v.facts });
