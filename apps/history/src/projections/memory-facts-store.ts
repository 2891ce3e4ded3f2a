import type { CaseFacts } from './case-facts';
import type { FactsStore, ProjectionMeta } from './facts-store';
import { applyChange, type FactsVersion, type VersionChange } from './versions';

/** The projection store in memory: what `npm run verify` rebuilds into, and what unit tests use. */
export class MemoryFactsStore implements FactsStore {
  readonly kind = 'memory';
  private readonly cases = new Map<string, FactsVersion[]>();
  private state: ProjectionMeta = { checkpoint: 0, version: null, generation: 0 };

  async meta(): Promise<ProjectionMeta> {
    return { ...this.state };
  }

  async commit(changes: VersionChange[], position: number): Promise<boolean> {
    if (position <= this.state.checkpoint) return false;
    for (const c of changes) {
      const next = applyChange(this.cases.get(c.caseId) ?? [], c);
      if (next.length) this.cases.set(c.caseId, next);
      else this.cases.delete(c.caseId);
    }
    this.state.checkpoint = position;
    return true;
  }

  async factsAt(at: string | null): Promise<CaseFacts[]> {
    const out: CaseFacts[] = [];
    for (const versions of this.cases.values()) {
      const v = versions.find((x) => (at === null ? x.validTo === null : x.validFrom <= at && (x.validTo === null || x.validTo > at)));
      if (v) out.push(v.facts);
    }
    return out;
  }

  async versions(caseId: string): Promise<FactsVersion[]> {
    return (this.cases.get(caseId) ?? []).map((v) => ({ ...v }));
  }

  async *allVersions(): AsyncIterable<FactsVersion[]> {
    const ids = [...this.cases.keys()].sort();
    for (let i = 0; i < ids.length; i += 500) yield ids.slice(i, i + 500).flatMap((id) => this.cases.get(id)!);
  }

  async replaceCase(caseId: string, versions: FactsVersion[]): Promise<void> {
    if (versions.length) this.cases.set(caseId, versions.map((v) => ({ ...v })));
    else this.cases.delete(caseId);
  }

  async reset(version: string): Promise<void> {
    this.cases.clear();
    this.state = { checkpoint: 0, version, generation: this.state.generation + 1 };
  }

  async close(): Promise<void> {
    // nothing held
  }
}
