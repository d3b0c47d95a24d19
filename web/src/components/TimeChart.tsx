import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCompact, formatDateTime, formatMs } from '../lib/format';
import type { Aligned } from '../lib/series';
import { useTheme } from '../app/theme';

export interface ChartSeries {
    label: string;
    unit: 'ms' | 'count';
    color: 1 | 2 | 3 | 4;
}

function cssVar(name: string): string {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/// Room for the longest tick label of an axis (uPlot calls it with the formatted values).
function axisSize(_u: uPlot, values: string[] | null): number {
    const longest = (values ?? []).reduce((m, v) => Math.max(m, String(v ?? '').length), 0);
    return Math.max(40, longest * 7 + 18);
}

function fmt(unit: 'ms' | 'count', v: number | null | undefined): string {
    if (v === null || v === undefined) return '—';
    return unit === 'ms' ? formatMs(v) : formatCompact(v);
}

/// A uPlot time series chart: milliseconds on the left axis, counts on the right. Redraws on
/// resize and theme change. The canvas is summarised in text for screen readers.
export function TimeChart({
    data,
    series,
    title,
    height = 240,
    range,
}: {
    data: Aligned;
    series: ChartSeries[];
    title: string;
    height?: number;
    /// The time range asked for (Unix ms): a chart with only one or two points spans it instead of
    /// stretching them over an axis of years.
    range?: { from: number; to: number };
}) {
    const ref = useRef<HTMLDivElement>(null);
    const [theme] = useTheme();
    const points = data[0].length;
    // By value: a new range object with the same bounds must not rebuild the chart.
    const rangeFrom = range?.from;
    const rangeTo = range?.to;

    useEffect(() => {
        const el = ref.current;
        if (!el || points === 0) return;
        const axisColor = cssVar('--muted');
        const grid = { stroke: cssVar('--grid'), width: 1 };
        const hasCount = series.some((s) => s.unit === 'count');
        const hasMs = series.some((s) => s.unit === 'ms');
        const opts: uPlot.Options = {
            width: Math.max(280, el.clientWidth),
            height,
            legend: { show: true },
            cursor: { drag: { x: true, y: false } },
            scales: {
                x:
                    rangeFrom !== undefined && rangeTo !== undefined && points < 3
                        ? { time: true, range: [rangeFrom / 1000, rangeTo / 1000] }
                        : { time: true },
                ms: { auto: true, range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
                count: { auto: true, range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
            },
            series: [
                { value: (_u, v) => (v === null || v === undefined ? '—' : formatDateTime(v * 1000)) },
                ...series.map((s) => ({
                    label: s.label,
                    scale: s.unit,
                    stroke: cssVar(`--chart-${s.color}`),
                    width: 2,
                    spanGaps: false,
                    points: { show: points < 60 },
                    value: (_u: uPlot, v: number | null) => fmt(s.unit, v),
                })),
            ],
            axes: [
                { stroke: axisColor, grid, ticks: grid },
                ...(hasMs
                    ? [{ scale: 'ms', stroke: axisColor, grid, ticks: grid, size: axisSize, values: (_u: uPlot, vals: number[]) => vals.map((v) => formatMs(v)) }]
                    : []),
                ...(hasCount
                    ? [
                          {
                              scale: 'count',
                              side: hasMs ? 1 : 3,
                              stroke: axisColor,
                              grid: hasMs ? { show: false } : grid,
                              ticks: grid,
                              size: axisSize,
                              values: (_u: uPlot, vals: number[]) => vals.map((v) => formatCompact(v)),
                          },
                      ]
                    : []),
            ] as uPlot.Axis[],
        };
        const plot = new uPlot(opts, data as uPlot.AlignedData, el);
        const ro = new ResizeObserver(() => {
            const w = Math.max(280, el.clientWidth);
            if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height });
        });
        ro.observe(el);
        return () => {
            ro.disconnect();
            plot.destroy();
        };
    }, [data, series, height, theme, points, rangeFrom, rangeTo]);

    const summary = series
        .map((s, i) => {
            const vals = (data[i + 1] ?? []).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
            if (vals.length === 0) return `${s.label}: no data`;
            return `${s.label}: latest ${fmt(s.unit, vals[vals.length - 1])}, min ${fmt(s.unit, Math.min(...vals))}, max ${fmt(s.unit, Math.max(...vals))}`;
        })
        .join('; ');

    if (points === 0) return <p className="muted">No data points in this range yet.</p>;
    return (
        <figure className="chart-figure">
            <div ref={ref} className="chart" role="img" aria-label={`${title}. ${summary}`} />
            <figcaption className="visually-hidden">{summary}</figcaption>
        </figure>
    );
}
