import type { StatsReport, StatsRow } from './statistics';

const COLUMNS: [string, (r: StatsRow) => string | number | null][] = [
  ['key', (r) => r.key],
  ['name', (r) => r.name],
  ['registrations', (r) => r.registrations.total],
  ['online', (r) => r.registrations.online],
  ['online_share', (r) => r.registrations.onlineShare],
  ['acceptance_due', (r) => r.acceptance.due],
  ['acceptance_timely', (r) => r.acceptance.timely],
  ['acceptance_rate', (r) => r.acceptance.rate],
  ['completion_due', (r) => r.completion.due],
  ['completion_on_time', (r) => r.completion.onTime],
  ['completion_rate', (r) => r.completion.rate],
  ['rated', (r) => r.satisfaction.rated],
  ['satisfied', (r) => r.satisfaction.satisfied],
  ['basically_satisfied', (r) => r.satisfaction.basicallySatisfied],
  ['dissatisfied', (r) => r.satisfaction.dissatisfied],
  ['satisfaction_rate', (r) => r.satisfaction.rate],
  ['satisfaction_rate_12345', (r) => r.satisfaction.weightedRate],
  ['petitions', (r) => r.repeats.petitions],
  ['repeats', (r) => r.repeats.repeats],
  ['repeat_rate', (r) => r.repeats.rate],
  ['backlog_at', (r) => r.backlog.at],
  ['backlog_tasks', (r) => r.backlog.tasks],
  ['backlog_unrouted', (r) => r.backlog.unrouted],
  ['backlog_cases', (r) => r.backlog.cases],
];

function cell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  // a spreadsheet would run a cell starting with = + - @ as a formula
  const text = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The report as CSV: a header, one line per group, then the totals (key `all`). UTF-8 with a
 * byte-order mark, which is what makes Excel on a Chinese Windows read the names correctly.
 */
export function statsCsv(report: StatsReport): string {
  const lines = [COLUMNS.map(([h]) => h).join(',')];
  for (const row of [...report.groups, report.totals]) lines.push(COLUMNS.map(([, f]) => cell(f(row))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
