/**
 * The top functions of a V8 .cpuprofile (from `node --cpu-prof`, or BENCH_CPU_PROF=1 npm run bench)
 * by self time, and by inclusive time for the app's own code.
 *
 *   node --require ./bench/register.js bench/profile-summary.ts bench/results/profiles/<file>.cpuprofile [top]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  hitCount?: number;
}

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '');
  const short = url.includes('node_modules') ? url.slice(url.lastIndexOf('node_modules') + 13) : path.relative(process.cwd(), url) || url;
  return `${n.callFrame.functionName || '(anonymous)'} ${short ? `${short}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
};

const selfByLabel = new Map<string, number>();
const inclusiveByLabel = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  selfByLabel.set(label(n), (selfByLabel.get(label(n)) ?? 0) + us);
  // inclusive: once per distinct label on the stack
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusiveByLabel.set(l, (inclusiveByLabel.get(l) ?? 0) + us);
  }
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
console.log('\nself time:');
for (const [l, us] of [...selfByLabel].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${l}`);
console.log('\ninclusive time (the app\'s code: apps/, libs/):');
for (const [l, us] of [...inclusiveByLabel].filter(([l]) => /(apps|libs)\//.test(l) && !l.includes('node_modules')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)}  ${l}`);
}
