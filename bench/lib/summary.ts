import type { WorkloadResult } from './common';

export interface SummaryInput {
  startedAt: string;
  finishedAt: string;
  machine: Record<string, unknown>;
  scale: number;
  command: string;
  results: WorkloadResult[];
  failures: { id: string; error: string }[];
}

const cell = (s: string | number | undefined) => (s === undefined ? '' : String(s).replace(/\|/g, '\\|'));

/** The markdown summary of one run (bench/results/summary.md; a copy is committed as bench/RESULTS.md). */
export function renderSummary(s: SummaryInput): string {
  const m = s.machine;
  const lines = [
    '# Lianban benchmark results',
    '',
    `Command: \`${s.command}\` — run ${s.startedAt} → ${s.finishedAt}`,
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}, load average at start ${JSON.stringify(m.loadavg)}` +
      (s.scale !== 1 ? `; durations scaled by ${s.scale}` : ''),
    '',
    'Every ratio is against a baseline measured in the same run on the same machine.',
    '',
    '| workload | measure | value | baseline (same run) | ratio | target | met |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of s.results) {
    for (const row of r.rows) {
      const met = row.met === undefined || row.met === null ? '' : row.met ? 'yes' : '**no**';
      const ratio = row.ratio === undefined ? '' : `${row.ratio}${row.ratioMeaning ? ` (${row.ratioMeaning})` : ''}`;
      lines.push(`| ${r.id} | ${cell(row.measure)} | ${cell(row.value)} | ${cell(row.baseline)} | ${cell(ratio)} | ${cell(row.target)} | ${met} |`);
    }
  }
  lines.push('');
  for (const r of s.results) {
    if (r.notes.length === 0) continue;
    lines.push(`**${r.id} ${r.title}** (${r.seconds ?? '?'} s)`);
    for (const n of r.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  for (const f of s.failures) {
    lines.push(`**${f.id} FAILED**: \`${f.error.split('\n')[0]}\``);
    lines.push('');
  }
  return lines.join('\n');
}
