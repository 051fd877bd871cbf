import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of a chart: a label and one value per period (null for none). */
export interface Series {
  label: string;
  values: Array<number | null>;
  color: string;
}

/** A line chart of values per period (uPlot); the caller shows the same figures as a table for screen readers. */
export function PeriodChart({ periods, series, label, xLabel, yMax }: { periods: string[]; series: Series[]; label: string; xLabel: string; yMax?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const widthOf = () => Math.max(260, Math.min(el.clientWidth, 900));
    const width = widthOf();
    const plot = new uPlot(
      {
        width,
        height: 260,
        scales: { x: { time: false, range: () => [-0.5, periods.length - 0.5] }, y: { range: [0, yMax ?? null] as uPlot.Range.MinMax } },
        axes: [{ splits: () => periods.map((_, i) => i), values: (_u, ticks) => ticks.map((i) => periods[i] ?? '') }, {}],
        series: [
          { label: xLabel, value: (_u, i) => (i == null ? '--' : (periods[i] ?? '--')) },
          ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true, size: 7 } })),
        ],
        legend: { show: true },
      },
      [periods.map((_, i) => i), ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    // Follow the container (a phone turned, a window resized).
    const observer = new ResizeObserver(() => plot.setSize({ width: widthOf(), height: 260 }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [periods, series, xLabel, yMax]);
  return (
    <div
      ref={box}
      style={{ width: '100%', overflow: 'hidden' }}
      role="img"
      aria-label={label}
      data-testid="chart"
      data-points={series.map((s) => s.values.join(',')).join('|')}
    />
  );
}
