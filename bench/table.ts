import { cpus, totalmem } from 'node:os';

/** One line of a benchmark table. */
export interface BenchRow {
  bench: string;
  metric: string;
  value: string;
  /** The target from the issue, if there is one, and whether it was met. */
  target?: string;
  note?: string;
}

/** The machine the figures were taken on, for the table's header. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

/** Formats rows as a Markdown table (also readable in a terminal). */
export function markdownTable(rows: readonly BenchRow[]): string {
  const header = ['bench', 'metric', 'value', 'target', 'note'];
  const cells = rows.map((r) => [r.bench, r.metric, r.value, r.target ?? '', r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join('\n');
}

/** Percentiles of a sample (nearest-rank), e.g. pct(xs, 50). */
export function pct(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** "12 345" style thousands for rates. */
export function rate(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
