// Time series for the charts (uPlot's aligned arrays: x in Unix seconds, then one array per series,
// null for a gap) and the scatter plot's log scales. Pure.

import type { HistoryPoint, LatencySample, Statement } from './types';
import { parseTime, toNumber } from './format';

export type Aligned = [number[], ...(number | null)[][]];

/// mean_ms and calls per snapshot of one statement, oldest first; points without a time are dropped.
export function historySeries(history: readonly HistoryPoint[]): Aligned {
    const pts = history
        .map((h) => ({ t: parseTime(h?.at), h }))
        .filter((p): p is { t: number; h: HistoryPoint } => p.t !== null)
        .sort((a, b) => a.t - b.t);
    return [
        pts.map((p) => p.t / 1000),
        pts.map((p) => toNumber(p.h.mean_ms) ?? meanOf(p.h)),
        pts.map((p) => toNumber(p.h.calls)),
    ];
}

function meanOf(h: HistoryPoint): number | null {
    const calls = toNumber(h.calls);
    const total = toNumber(h.total_ms);
    return calls && total !== null ? total / calls : null;
}

/// The workload over time from the histories of several statements: per snapshot time, the sum of
/// calls and total time, and the mean latency (total / calls). Snapshots within `bucketS` seconds
/// of each other are merged (collections of one target are never closer than its interval).
export function workloadSeries(histories: readonly (readonly HistoryPoint[])[], bucketS = 1): {
    series: Aligned;
    totalCalls: number;
} {
    const buckets = new Map<number, { calls: number; total: number }>();
    for (const history of histories) {
        for (const h of history ?? []) {
            const t = parseTime(h?.at);
            if (t === null) continue;
            const key = Math.round(t / 1000 / bucketS) * bucketS;
            const b = buckets.get(key) ?? { calls: 0, total: 0 };
            b.calls += toNumber(h.calls) ?? 0;
            b.total += toNumber(h.total_ms) ?? 0;
            buckets.set(key, b);
        }
    }
    const keys = [...buckets.keys()].sort((a, b) => a - b);
    let totalCalls = 0;
    const calls: (number | null)[] = [];
    const totals: (number | null)[] = [];
    const means: (number | null)[] = [];
    for (const k of keys) {
        const b = buckets.get(k)!;
        totalCalls += b.calls;
        calls.push(b.calls);
        totals.push(b.total);
        means.push(b.calls > 0 ? b.total / b.calls : null);
    }
    return { series: [keys, means, calls, totals], totalCalls };
}

/// Connection latency over time: connect, p50 and p95 in ms (null where a sample failed).
export function latencySeries(samples: readonly LatencySample[]): Aligned {
    const pts = samples
        .map((s) => ({ t: parseTime(s?.at), s }))
        .filter((p): p is { t: number; s: LatencySample } => p.t !== null)
        .sort((a, b) => a.t - b.t);
    return [
        pts.map((p) => p.t / 1000),
        pts.map((p) => toNumber(p.s.connect_ms)),
        pts.map((p) => toNumber(p.s.p50_ms)),
        pts.map((p) => toNumber(p.s.p95_ms)),
    ];
}

/// A base-10 log scale from [min, max] (positive) onto [0, size].
export function logScale(min: number, max: number, size: number): (v: number) => number {
    const lo = Math.log10(Math.max(min, 1e-6));
    const hi = Math.log10(Math.max(max, min * 10, 1e-5));
    const span = hi - lo || 1;
    return (v: number) => ((Math.log10(Math.max(v, 1e-6)) - lo) / span) * size;
}

/// Powers of ten covering [min, max], for axis ticks.
export function decadeTicks(min: number, max: number): number[] {
    const lo = Math.floor(Math.log10(Math.max(min, 1e-6)));
    const hi = Math.ceil(Math.log10(Math.max(max, 1e-6)));
    const out: number[] = [];
    for (let e = lo; e <= hi && out.length < 12; e++) out.push(10 ** e);
    return out;
}

export interface ScatterPoint {
    statement: Statement;
    x: number; // 0..width: calls (log)
    y: number; // 0..height: mean time (log), 0 at the top
    r: number; // radius from total time
}

export interface ScatterLayout {
    points: ScatterPoint[];
    xTicks: { value: number; pos: number }[];
    yTicks: { value: number; pos: number }[];
}

/// Statements placed by calls (x) and mean time (y) on log scales; bubble area follows total time.
export function scatterLayout(statements: readonly Statement[], width: number, height: number): ScatterLayout {
    const valid = statements.filter((s) => (toNumber(s?.calls) ?? 0) > 0 && (toNumber(s?.mean_ms) ?? 0) > 0);
    if (valid.length === 0) return { points: [], xTicks: [], yTicks: [] };
    const calls = valid.map((s) => s.calls);
    const means = valid.map((s) => s.mean_ms);
    const xMin = 10 ** Math.floor(Math.log10(Math.min(...calls)));
    const xMax = 10 ** Math.ceil(Math.log10(Math.max(...calls) * 1.0001));
    const yMin = 10 ** Math.floor(Math.log10(Math.min(...means)));
    const yMax = 10 ** Math.ceil(Math.log10(Math.max(...means) * 1.0001));
    const sx = logScale(xMin, xMax, width);
    const sy = logScale(yMin, yMax, height);
    const maxTotal = Math.max(...valid.map((s) => toNumber(s.total_ms) ?? 0), 1e-9);
    return {
        points: valid.map((s) => ({
            statement: s,
            x: sx(s.calls),
            y: height - sy(s.mean_ms),
            r: 3 + 13 * Math.sqrt(Math.max(0, toNumber(s.total_ms) ?? 0) / maxTotal),
        })),
        xTicks: decadeTicks(xMin, xMax).map((v) => ({ value: v, pos: sx(v) })),
        yTicks: decadeTicks(yMin, yMax).map((v) => ({ value: v, pos: height - sy(v) })),
    };
}
