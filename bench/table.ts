/** One line of a benchmark table: our figure next to a baseline from the same run. */
export interface BenchRow {
  case: string;
  unit: string;
  ours: number;
  baseline: number;
  baselineName: string;
  /** True when a bigger figure is better (throughput), false for latencies. */
  higherIsBetter: boolean;
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** Renders rows as a Markdown table with the ratio ours/baseline. */
export function formatTable(rows: BenchRow[]): string {
  const lines = [
    '| case | ours | baseline | baseline is | ours / baseline |',
    '|---|---:|---:|---|---:|',
    ...rows.map(
      (r) =>
        `| ${r.case} | ${fmt(r.ours)} ${r.unit} | ${fmt(r.baseline)} ${r.unit} | ${r.baselineName} | ${(r.ours / r.baseline).toFixed(2)} (${r.higherIsBetter ? 'higher' : 'lower'} is better) |`,
    ),
  ];
  return lines.join('\n');
}
