/** Small statistics and formatting helpers shared by the benchmarks. */
import { pct } from './table.js';

/** "p50 12.3 · p95 20.1 · p99 25.0 ms" for a sample of milliseconds (nearest-rank percentiles). */
export function percentiles(values: readonly number[], unit = 'ms', digits = 1): string {
  if (values.length === 0) return 'no samples';
  const f = (p: number) => pct(values, p).toFixed(digits);
  return `p50 ${f(50)} · p95 ${f(95)} · p99 ${f(99)} ${unit}`;
}

/** Arithmetic mean (NaN for none). */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Smallest and largest value as "min–max". */
export function range(values: readonly number[], digits = 1): string {
  if (values.length === 0) return '–';
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}

/** "✓ target" or "✗ target", for the table's target column. */
export function verdict(met: boolean, target: string): string {
  return `${met ? '✓' : '✗'} ${target}`;
}
